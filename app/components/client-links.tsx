import { useEffect } from "react";
import { useNavigate } from "react-router";

/** Marks an element whose anchors the client router follows: `<ul {...CLIENT_LINKS}>`, one mark for a whole list. */
export const CLIENT_LINKS = { "data-client-links": "" } as const;

/**
 * Follows the anchors of marked elements with the client router, from one listener on the document. A program page lists sixty
 * sessions or more, and a `<Link>` costs several hooks each to render on the server; an anchor in a marked list costs nothing,
 * and a click on it (or Enter on it) navigates the same way. Without JavaScript, or with a modifier key, it is an
 * ordinary link.
 */
export function useClientLinks(): void {
  const navigate = useNavigate();
  useEffect(() => {
    const follow = (event: MouseEvent) => {
      if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      const anchor = event.target instanceof Element ? event.target.closest<HTMLAnchorElement>("[data-client-links] a") : null;
      if (!anchor || anchor.target || anchor.hasAttribute("download") || anchor.origin !== window.location.origin) return;
      event.preventDefault();
      void navigate(anchor.pathname + anchor.search + anchor.hash);
    };
    document.addEventListener("click", follow);
    return () => document.removeEventListener("click", follow);
  }, [navigate]);
}
