import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";
import { parse, serialize } from "cookie";
import { redirect } from "react-router";

/**
 * Notices shown once after a redirect ("your password was changed"). The redirect sets a short-lived cookie naming
 * the notice; the next page request reads it and clears it, so a reload or a bookmarked URL never shows it again
 * (a query parameter would). Only these keys are honoured: a cookie cannot put words of its own on the page.
 */
export const NOTICES = {
  "password-reset": "Your password was changed. Sign in with the new one.",
  "email-verified": "Your email address is verified.",
  "email-verified-sign-in": "Your email address is verified. Sign in to continue.",
  "password-changed": "Your password was changed. Every other session was signed out; this browser stays signed in.",
  "mfa-off": "Two-factor authentication is off. Signing in now asks for your password only.",
  "verification-sent": "We sent a verification link to the address you gave, unless it already has an account (then we sent it a note instead).",
  "account-deleted": "Your account and the data held with it were deleted, and you were signed out.",
  "vetting-applied": "Your application is in. We sent you a receipt by mail.",
  "vetting-replied": "Thank you: your answer is with the organizers.",
  "session-created": "The session is on the program.",
  "session-saved": "Saved.",
  "session-cancelled": "The session is cancelled. To undo, reinstate it below.",
  "session-reinstated": "The session is back on the program.",
  "program-published": "The program is published: everyone can see it now, and changes from here on are announced.",
  "group-created": "The group is created. Add its members below.",
  "vetting-withdrawn": "Your application is withdrawn. You can apply again whenever you like.",
  "registration-submitted": "Thank you: your registration is in. We sent you a mail.",
  "registration-updated": "Your answers are saved.",
  "registration-cancelled": "Your registration is cancelled. Your seat goes to the next person on the waitlist.",
  "breakout-confirmed": "You have a seat in this session.",
  "breakout-waitlisted": "The session is full: you are on its waitlist, at the place shown below.",
  "breakout-withdrawn": "You withdrew. A seat you held goes to the next person waiting.",
  "breakout-not-signed-up": "You were not signed up for this session.",
  "registration-settings-saved": "Saved.",
  "registration-settings-promoted": "Saved. The new seats went to the people first on the waitlist, and each was told by mail.",
} as const;
export type NoticeKey = keyof typeof NOTICES;

const COOKIE = "liaison_notice";

function noticeCookie(key: NoticeKey | "", maxAge: number): string {
  return serialize(COOKIE, key, { httpOnly: true, sameSite: "lax", path: "/", maxAge });
}

/** A redirect that shows `key`'s notice on the page it leads to, once. */
export function redirectWithNotice(url: string, key: NoticeKey, init: { headers?: Record<string, string> } = {}): Response {
  const headers = new Headers(init.headers);
  headers.append("Set-Cookie", noticeCookie(key, 60));
  return redirect(url, { headers });
}

function isNoticeKey(value: string | undefined): value is NoticeKey {
  return value !== undefined && Object.hasOwn(NOTICES, value);
}

export function hasPendingNotice(cookieHeader: string | undefined): boolean {
  return cookieHeader?.includes(`${COOKIE}=`) ?? false;
}

/**
 * Whether this GET renders the root route, which shows the notice: a page, or a data request that includes the root.
 * The router's own fetches (the route manifest, a data request for some routes only) must leave the notice alone.
 */
function showsNotice(req: ExpressRequest): boolean {
  if (req.path === "/__manifest") return false;
  if (req.path.endsWith(".data")) {
    const routes = new URL(req.originalUrl, "http://x").searchParams.get("_routes");
    return routes === null || routes.split(",").includes("root");
  }
  const destination = req.get("sec-fetch-dest");
  return destination === undefined || destination === "document";
}

/** Express middleware: a GET that shows the page takes the pending notice into `res.locals.notice` and clears the cookie. */
export function takeNotice(req: ExpressRequest, res: ExpressResponse, next: NextFunction): void {
  res.locals.notice = null;
  const header = req.headers.cookie;
  if (req.method === "GET" && hasPendingNotice(header) && showsNotice(req)) {
    const key = parse(header ?? "")[COOKIE];
    if (key !== undefined) {
      res.append("Set-Cookie", noticeCookie("", 0));
      if (isNoticeKey(key)) res.locals.notice = NOTICES[key];
    }
  }
  next();
}
