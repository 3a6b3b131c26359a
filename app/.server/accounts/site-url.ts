import { config } from "../config.ts";

/**
 * Absolute links for mail. PUBLIC_URL wins; without it the request's own origin is used, which is only safe
 * where the Host header cannot be forged (local use, or a proxy that sets it), so production sets PUBLIC_URL.
 */
export function siteUrl(request: Request, path: string): string {
  const base = config().publicUrl ?? new URL(new URL(request.url).origin);
  return new URL(path, base).toString();
}

/** Where a request came from: the address for the audit log, and how to build absolute links for mail. */
export type RequestOrigin = { ip: string | null; link: (path: string) => string };
