import { useEffect, useState } from "react";
import { useFetcher, useLocation } from "react-router";
import type { FormReply } from "#app/shared/form-reply.ts";

/**
 * Stars a session for the viewer's agenda. Without JavaScript it is a plain form that comes back to this page; with
 * it, a fetcher that changes the button in place (the page is not reloaded).
 */
export function StarButton({ sessionId, title, starred }: { sessionId: string; title: string; starred: boolean }) {
  const fetcher = useFetcher<FormReply<{ starred: boolean }>>();
  const location = useLocation();
  // Rendered on the server the form carries where to come back to; once hydrated the fetcher needs no redirect.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  const pending = fetcher.formData?.get("intent");
  const answered = fetcher.data?.status === "success" ? fetcher.data.data.starred : undefined;
  const isStarred = pending ? pending === "star" : (answered ?? starred);
  return (
    <fetcher.Form method="post" action={`/agenda/sessions/${sessionId}`} className="star-form">
      {hydrated ? null : <input type="hidden" name="returnTo" value={`${location.pathname}${location.search}`} />}
      <button type="submit" name="intent" value={isStarred ? "unstar" : "star"} aria-pressed={isStarred} className="star">
        <span aria-hidden="true">{isStarred ? "★" : "☆"}</span> Star<span className="visually-hidden">{`: ${title}`}</span>
      </button>
    </fetcher.Form>
  );
}
