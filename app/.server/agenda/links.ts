import { config } from "../config.ts";

/**
 * Absolute links inside a feed or an export: under PUBLIC_URL, else under the address the request came to. Unlike
 * a mail link (accounts/site-url.ts), such a link goes back only to whoever sent the Host header.
 */
export function responseLinks(request: Request) {
  const base = config().publicUrl ?? new URL(request.url).origin;
  return { link: (path: string) => new URL(path, base).toString() };
}
