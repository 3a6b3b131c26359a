import type { SessionItem } from "#app/.server/agenda/program.ts";
import { agendaHref, AUDIENCE_LABELS, SESSION_TYPE_LABELS, STATUS_LABELS } from "./links.ts";
import { StarButton } from "./star-button.tsx";
import { trackClass } from "#app/shared/track-colours.ts";

/** One session in a list or on the day grid: when, what, where, who; a star for a signed-in viewer. */
export function SessionCard({
  session,
  tz,
  className,
  headingLevel = 3,
  overlaps,
}: {
  session: SessionItem;
  /** The zone parameter links carry. */
  tz: string | null;
  className?: string;
  headingLevel?: 2 | 3 | 4;
  /** Titles of other starred sessions at the same time (the personal agenda). */
  overlaps?: string[];
}) {
  const Heading = (["h2", "h3", "h4"] as const)[headingLevel - 2]!;
  const status = STATUS_LABELS[session.status];
  const audience = AUDIENCE_LABELS[session.audience];
  // One text node each where the markup allows: a program page renders sixty cards, and every element and text node
  // costs React on the server. The track's colour is the card's edge (a class), its name is in the tags.
  const meta = [session.room, session.speakers].filter(Boolean).join(" · ");
  const tags = session.track ? `${session.track.name} · ${SESSION_TYPE_LABELS[session.type]}` : SESSION_TYPE_LABELS[session.type];
  const classes = ["session", `type-${session.type}`];
  if (session.status === "cancelled") classes.push("cancelled");
  if (session.track) classes.push(trackClass(session.track.colour));
  if (className) classes.push(className);
  return (
    <article className={classes.join(" ")}>
      <p className="when">
        {`${session.start}–${session.end}`}
        {session.endsNextDay ? <span className="muted"> (next day)</span> : null}
      </p>
      <Heading className="title">
        <a href={agendaHref(`/agenda/sessions/${session.id}`, { tz })}>
          {session.title}
        </a>
      </Heading>
      {meta ? <p className="meta">{meta}</p> : null}
      <p className="tags">
        {tags}
        {status ? <span className={`badge status-${session.status}`}>{status}</span> : null}
        {audience ? <span className="badge">{audience}</span> : null}
      </p>
      {overlaps?.length ? (
        <p className="overlap" role="note">
          Overlaps with {overlaps.map((title) => `“${title}”`).join(" and ")}
        </p>
      ) : null}
      {session.starred !== undefined ? <StarButton sessionId={session.id} title={session.title} starred={session.starred} /> : null}
    </article>
  );
}
