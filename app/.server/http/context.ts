import type { Viewer } from "../accounts/sessions.ts";

export type RequestContext = {
  requestId: string;
  /** Nonce for the inline scripts Remix renders; the CSP allows no other inline script. */
  nonce: string;
  ip: string | null;
  userAgent: string | null;
  /** The signed-in user, or null. A session still waiting for its second factor is `pendingMfa`, not a viewer. */
  viewer: Viewer | null;
  pendingMfa: Viewer | null;
  /** A one-time notice after a redirect (http/notice.ts), shown at the top of the page. */
  notice?: string | null;
  /** Set when the page is rendered for the anonymous render cache (http/render-cache.ts). */
  renderForCache?: true;
  /** Set only when rendering the 503 page for a request the database could not serve (http/unavailable.ts). */
  databaseUnavailable?: boolean;
  /** Set by entry.server's handleError when a loader or action failed because the database is out of reach. */
  databaseFailed?: boolean;
};

declare module "react-router" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends RequestContext {}
}
