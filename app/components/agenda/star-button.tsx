import { useEffect, useRef, useState, type FormEvent } from "react";
import { useFetcher, useLocation } from "react-router";
import type { FormReply } from "#app/shared/form-reply.ts";

type StarProps = { sessionId: string; title: string; starred: boolean };

/**
 * Stars a session for the viewer's agenda. Without JavaScript it is a plain form that comes back to this page. With
 * it, the first press hands over to a fetcher that changes the button in place (the page is not reloaded). The
 * fetcher comes only then: a program page renders dozens of these, and each fetcher costs the server as much to
 * render as the rest of its card.
 */
export function StarButton(props: StarProps) {
  const location = useLocation();
  const [first, setFirst] = useState<FormData | null>(null);
  if (first) return <LiveStarButton {...props} first={first} />;
  const press = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFirst(new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter));
  };
  // The address says where to come back to; the fetcher posts to the bare one and takes the answer itself.
  const back = new URLSearchParams({ returnTo: `${location.pathname}${location.search}` });
  return (
    <form method="post" action={`/agenda/sessions/${props.sessionId}?${back}`} onSubmit={press}>
      <StarToggle {...props} />
    </form>
  );
}

function LiveStarButton({ first, ...props }: StarProps & { first: FormData }) {
  const action = `/agenda/sessions/${props.sessionId}`;
  const fetcher = useFetcher<FormReply<{ starred: boolean }>>();
  const { submit } = fetcher;
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current) return;
    sent.current = true;
    void submit(first, { method: "post", action });
  }, [submit, first, action]);
  // Until its answer comes, the first press shows as done.
  const pending = fetcher.formData?.get("intent") ?? (fetcher.data === undefined ? first.get("intent") : null);
  const answered = fetcher.data?.status === "success" ? fetcher.data.data.starred : undefined;
  return (
    <fetcher.Form method="post" action={action}>
      <StarToggle {...props} starred={pending ? pending === "star" : (answered ?? props.starred)} />
    </fetcher.Form>
  );
}

/** Its name says which session ("Star: …"); the visible text is only "Star", which the name begins with. */
function StarToggle({ title, starred }: StarProps) {
  return (
    <button name="intent" value={starred ? "unstar" : "star"} aria-pressed={starred} aria-label={`Star: ${title}`} className="star">
      {starred ? "★ Star" : "☆ Star"}
    </button>
  );
}
