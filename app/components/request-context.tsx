import { createContext, useContext } from "react";

/** Per-response values the server render knows and loader data must not carry (a cached page is shared). */
export type RenderContext = { nonce: string; requestId: string | null };

export const RenderContextValue = createContext<RenderContext>({ nonce: "", requestId: null });

/** The CSP nonce of this response; empty in the browser, which hides nonces from scripts, and on cached pages. */
export function useNonce(): string {
  return useContext(RenderContextValue).nonce;
}

/**
 * The reference of this request for the error page. The server render knows it; in the browser it is read back from
 * the element that shows it, so hydration finds the same text.
 */
export function useRequestReference(): string | null {
  const fromServer = useContext(RenderContextValue).requestId;
  if (fromServer) return fromServer;
  if (typeof document === "undefined") return null;
  return document.getElementById("request-reference")?.textContent ?? null;
}
