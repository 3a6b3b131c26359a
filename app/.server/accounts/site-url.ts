import { config } from "../config.ts";

/** Absolute links for mail: under PUBLIC_URL, or, for local use without it, under a loopback request's origin. */
export function siteUrl(request: Request, path: string): string {
  const configured = config().publicUrl;
  if (configured) return new URL(path, configured).toString();
  const origin = new URL(new URL(request.url).origin);
  // A forged Host header would otherwise put an attacker's address in a password-reset mail.
  if (!LOOPBACK.has(origin.hostname)) {
    throw new Error(`PUBLIC_URL is not set, and mail links for ${origin.hostname} cannot be trusted: set PUBLIC_URL.`);
  }
  return new URL(path, origin).toString();
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Where a request came from: the address for the audit log, and how to build absolute links for mail. */
export type RequestOrigin = { ip: string | null; link: (path: string) => string };

/** An absolute link for a mail sent outside a request: from the site's address, or words a reader can follow. */
export function siteLink(path: string, base: string | URL | null | undefined): string {
  return base ? new URL(path, base).toString() : `${path} on the Liaison site`;
}
