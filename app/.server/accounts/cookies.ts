import { parse, serialize } from "cookie";
import { config } from "../config.ts";

function cookieName(): string {
  // __Host- pins the cookie to this origin, path / and Secure; browsers only accept it over https.
  return config().secureCookies ? "__Host-liaison_session" : "liaison_session";
}

export function readSessionToken(cookieHeader: string | null | undefined): string | null {
  if (!cookieHeader) return null;
  const value = parse(cookieHeader)[cookieName()];
  return value && /^[a-z2-7]{32}$/.test(value) ? value : null;
}

/** Privileged sessions end with the browser; attendees' last as long as their idle limit. */
export function sessionCookieFor(token: string, privileged: boolean): string {
  return sessionCookie(token, privileged ? {} : { persistentSeconds: config().sessions.attendee.idleSeconds });
}

function sessionCookie(token: string, options: { persistentSeconds?: number } = {}): string {
  return serialize(cookieName(), token, {
    httpOnly: true,
    sameSite: "lax",
    secure: config().secureCookies,
    path: "/",
    ...(options.persistentSeconds ? { maxAge: options.persistentSeconds } : {}),
  });
}

export function clearSessionCookie(): string {
  return serialize(cookieName(), "", { httpOnly: true, sameSite: "lax", secure: config().secureCookies, path: "/", maxAge: 0 });
}
