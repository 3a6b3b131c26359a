import type { NextFunction, Request, Response } from "express";
import { clearSessionCookie, readSessionToken, sessionCookieFor } from "../accounts/cookies.ts";
import { validateSessionToken } from "../accounts/sessions.ts";

/** Resolves the session cookie once per request; every loader reads the result from the load context. */
export async function resolveSession(req: Request, res: Response, next: NextFunction): Promise<void> {
  res.locals.viewer = null;
  res.locals.pendingMfa = null;
  const token = readSessionToken(req.headers.cookie);
  if (!token) return next();
  try {
    const check = await validateSessionToken(token);
    if (!check.valid) {
      res.append("Set-Cookie", clearSessionCookie());
      return next();
    }
    const { viewer } = check;
    // Pages for a signed-in viewer are theirs alone: no shared cache, and no copy left on disk.
    res.setHeader("Cache-Control", "private, no-store");
    if (viewer.mfaEnrolled && !viewer.session.mfaVerified) res.locals.pendingMfa = viewer;
    else res.locals.viewer = viewer;
    if (check.refreshCookie) {
      res.append("Set-Cookie", sessionCookieFor(token, false));
    }
    next();
  } catch (error) {
    next(error);
  }
}
