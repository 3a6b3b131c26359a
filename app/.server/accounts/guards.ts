import type { AppLoadContext } from "react-router";
import { redirect } from "react-router";
import { MFA_PERMISSIONS, type Permission } from "./permissions.ts";
import type { Viewer } from "./sessions.ts";

/**
 * The guards every loader and action uses. Each either returns the viewer or throws the Response that
 * ends the request: a redirect to sign in, a redirect to finish MFA, or a 403.
 */

function returnTo(request: Request): string {
  const url = new URL(request.url);
  return `${url.pathname}${url.search}`;
}

function loginRedirect(request: Request): Response {
  return redirect(`/login?${new URLSearchParams({ redirectTo: returnTo(request) })}`);
}

export function can(viewer: Viewer | null | undefined, permission: Permission): boolean {
  return viewer?.permissions.has(permission) ?? false;
}

export function requireViewer(request: Request, context: AppLoadContext): Viewer {
  if (context.viewer) return context.viewer;
  if (context.pendingMfa) throw redirect(`/login/mfa?${new URLSearchParams({ redirectTo: returnTo(request) })}`);
  throw loginRedirect(request);
}

/** An account whose email is verified: an attendee at least. */
export function requireVerifiedViewer(request: Request, context: AppLoadContext): Viewer {
  const viewer = requireViewer(request, context);
  if (!viewer.emailVerified) throw redirect("/verify-email");
  return viewer;
}

/**
 * A viewer holding the permission. Permissions that reach members' material or run the site also need a
 * session verified with a second factor: such viewers are sent to enrol in MFA first.
 */
export function requirePermission(request: Request, context: AppLoadContext, permission: Permission): Viewer {
  const viewer = requireVerifiedViewer(request, context);
  if (!viewer.permissions.has(permission)) {
    throw new Response("You do not have permission to see this page.", { status: 403 });
  }
  if (MFA_PERMISSIONS.has(permission) && !viewer.session.mfaVerified) {
    throw redirect(`/account/mfa?${new URLSearchParams({ required: "1", redirectTo: returnTo(request) })}`);
  }
  return viewer;
}

const REDIRECT_BASE = "http://liaison.invalid";

/**
 * A local path to go back to after signing in. The value is resolved the way a browser resolves it (dot segments,
 * percent-encoded dots, backslashes), and what that gives is what is sent, after checking it once more: a path
 * that a browser would read as another host (`//evil.example`, which `/.//evil.example` becomes) goes to the
 * fallback, as does anything with control characters, which browsers strip.
 */
export function safeRedirectPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.includes("\\")) return fallback;
  if ([...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f)) return fallback;
  const resolved = resolveLocal(value);
  if (resolved === null || resolved.startsWith("//") || resolved.startsWith("/\\")) return fallback;
  // Sent as it is, it must resolve to itself on our own origin.
  return resolveLocal(resolved) === resolved ? resolved : fallback;
}

function resolveLocal(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value, REDIRECT_BASE);
  } catch {
    return null;
  }
  return url.origin === REDIRECT_BASE ? `${url.pathname}${url.search}${url.hash}` : null;
}
