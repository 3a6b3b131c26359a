import type { NextFunction, Request, Response } from "express";
import { clearSessionCookie, readSessionToken, sessionCookieFor } from "../accounts/cookies.ts";
import { validateSessionToken, type SessionCheck } from "../accounts/sessions.ts";
import { hashToken } from "../accounts/tokens.ts";

/**
 * A signed-in page checks its session against the database. On the embedded database that one statement is most of
 * what a signed-in page costs, so a check is reused for at most SESSION_CHECK_REUSE_MS by the GETs of the same cookie
 * on this instance. Any request that may change something (every non-GET) clears them all when it ends, and a check
 * that was under way meanwhile is not kept: this instance never serves a stale viewer after its own writes, and other
 * instances see a revocation within that bound.
 */
const SESSION_CHECK_REUSE_MS = 1_000;
const MAX_REUSED = 10_000;

type Reused = { check: Extract<SessionCheck, { valid: true }>; at: number };
const reused = new Map<string, Reused>();
let generation = 0;

function forgetSessionChecks(): void {
  generation++;
  reused.clear();
}

async function checkSession(token: string, method: string): Promise<SessionCheck> {
  const reusable = method === "GET" || method === "HEAD";
  const key = hashToken(token);
  if (reusable) {
    const hit = reused.get(key);
    if (hit && performance.now() - hit.at < SESSION_CHECK_REUSE_MS) return { ...hit.check, refreshCookie: false };
  }
  const startedIn = generation;
  const check = await validateSessionToken(token);
  if (reusable && check.valid && startedIn === generation) {
    if (reused.size >= MAX_REUSED) reused.clear();
    reused.set(key, { check, at: performance.now() });
  } else if (!check.valid) {
    reused.delete(key);
  }
  return check;
}

/** Resolves the session cookie once per request; every loader reads the result from the load context. */
export async function resolveSession(req: Request, res: Response, next: NextFunction): Promise<void> {
  res.locals.viewer = null;
  res.locals.pendingMfa = null;
  if (req.method !== "GET" && req.method !== "HEAD") res.once("finish", forgetSessionChecks);
  const token = readSessionToken(req.headers.cookie);
  if (!token) return next();
  try {
    const check = await checkSession(token, req.method);
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
