import type { SessionItem } from "#app/.server/agenda/program.ts";
import { trackClass } from "#app/shared/track-colours.ts";
import { agendaHref, AUDIENCE_LABELS, SESSION_TYPE_LABELS, STATUS_LABELS } from "./links.ts";
import { StarButton } from "./star-button.tsx";

const HEADINGS = { 2: "h2", 3: "h3", 4: "h4" } as const;
/** “A”, “B” and “C”: British English, as the site's dates. */
const OVERLAPS = new Intl.ListFormat("en-GB", { type: "conjunction" });

/**
 * One session in a list or on the day grid: when, what, where, who; a star for a signed-in viewer.
 *
 * A program day renders sixty of these, and every element, attribute and text node costs React on the server: the
 * card has one text node per line, classes only where the stylesheet cannot tell the lines apart by their place,
 * and the track's colour as the card's edge (a class) rather than a swatch of its own.
 */
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
  const Heading = HEADINGS[headingLevel];
  const { track, room, speakers } = session;
  const status = STATUS_LABELS[session.status];
  const audience = AUDIENCE_LABELS[session.audience];
  const type = SESSION_TYPE_LABELS[session.type];
  const meta = room && speakers ? `${room} · ${speakers}` : room || speakers;
  let classes = `session type-${session.type}`;
  if (session.status === "cancelled") classes += " cancelled";
  if (track) classes += ` ${trackClass(track.colour)}`;
  if (className) classes += ` ${className}`;
  return (
    <article className={classes}>
      <p>
        {`${session.start}–${session.end}`}
        {session.endsNextDay ? <span className="muted"> (next day)</span> : null}
      </p>
      <Heading>
        <a href={agendaHref(`/agenda/sessions/${session.id}`, { tz })}>{session.title}</a>
      </Heading>
      {meta ? <p>{meta}</p> : null}
      <p className="tags">
        {track ? `${track.name} · ${type}` : type}
        {status ? <span className={`badge status-${session.status}`}>{status}</span> : null}
        {audience ? <span className="badge">{audience}</span> : null}
      </p>
      {overlaps?.length ? (
        <p className="overlap" role="note">
          {`Overlaps with ${OVERLAPS.format(overlaps.map((title) => `“${title}”`))}`}
        </p>
      ) : null}
      {session.starred !== undefined ? <StarButton sessionId={session.id} title={session.title} starred={session.starred} /> : null}
    </article>
  );
}
