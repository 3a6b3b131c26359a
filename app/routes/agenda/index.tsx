import type { ShouldRevalidateFunction } from "react-router";
import { Form, Link, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { agendaHref, SESSION_TYPE_LABELS } from "#app/components/agenda/links.ts";
import { SessionCard } from "#app/components/agenda/session-card.tsx";
import { CLIENT_LINKS } from "#app/components/client-links.tsx";
import { TrackSwatch } from "#app/components/agenda/track-swatch.tsx";
import { ZoneSwitch } from "#app/components/agenda/zone-switch.tsx";
import { agendaLinks } from "#app/components/agenda/styles.ts";
import { can } from "#app/.server/accounts/guards.ts";
import { accessScope } from "#app/.server/access/audience.ts";
import { getAgenda } from "#app/.server/agenda/program.ts";
import { parseAgendaQuery } from "#app/.server/agenda/schemas.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";

export const links = agendaLinks;

export const meta = errorAwareMeta<typeof loader>(({ data }) => [
  { title: data ? `Program · ${data.conference.name} · Liaison` : "Program · Liaison" },
  { name: "description", content: data ? `The program of ${data.conference.name}, ${data.conference.dates}, ${data.conference.city}.` : "" },
]);

/** Depends on published content and the address only: anonymous visitors get it from the render cache. */
export const handle = { renderCache: true };

/** The program by day; also each past edition's at /conferences/:slug/agenda. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { zone, filters } = parseAgendaQuery(new URL(request.url).searchParams);
  const viewer = context.viewer;
  const view = await getAgenda({ scope: accessScope(viewer), viewerId: viewer?.id ?? null, zone }, params.slug ?? null, filters);
  return { ...view, signedIn: viewer !== null, canEdit: can(viewer, "edit:agenda") };
}

/** A star changes one button, which shows its own state: the grid need not be loaded again. */
export const shouldRevalidate: ShouldRevalidateFunction = ({ formAction, defaultShouldRevalidate }) =>
  formAction?.startsWith("/agenda/sessions/") ? false : defaultShouldRevalidate;

type AgendaData = ReturnType<typeof useLoaderData<typeof loader>>;

export default function Agenda() {
  const page = useLoaderData<typeof loader>();
  const { conference, zone, filters } = page;
  const tz = zone.param;
  const base = conference.current ? "/agenda" : `/conferences/${conference.slug}/agenda`;
  return (
    <section className="agenda" aria-labelledby="agenda-title">
      <header className="agenda-head">
        <h1 id="agenda-title">Program</h1>
        <p className="lead">
          {conference.name}: {conference.dates}, {conference.venue}, {conference.city}.
        </p>
        {!conference.current ? (
          <p className="notice">
            This is a past edition. <Link to="/agenda">See the current program</Link>
          </p>
        ) : null}
        {!conference.published ? (
          <p className="notice">{page.canEdit ? "A draft: only organizers see this program until it is published." : "The program has not been published yet. Check back soon."}</p>
        ) : null}
        <p>
          Times are <strong>{zone.label}</strong>.
        </p>
        <ZoneSwitch key={zone.active} active={zone.active} choices={zone.choices} keep={{ day: filters.day, track: filters.track, type: filters.type, q: filters.q }} />
        <ul className="agenda-links">
          {page.signedIn ? (
            <li>
              <Link to={agendaHref("/agenda/mine", { tz })}>My agenda</Link>
            </li>
          ) : (
            <li>
              <Link to={`/login?redirectTo=${encodeURIComponent("/agenda")}`}>Sign in to star sessions</Link>
            </li>
          )}
          <li>
            <Link to="/speakers">Speakers</Link>
          </li>
          {conference.current ? (
            <>
              <li>
                <Link to={agendaHref("/agenda/changes", { tz })}>Changes</Link>
              </li>
              <li>
                <a href="/agenda.ics">Calendar (iCalendar)</a>
              </li>
              <li>
                <a href="/agenda/schedule.json">Schedule data (JSON)</a>
              </li>
            </>
          ) : null}
          {page.canEdit && conference.current ? (
            <li>
              <Link to="/admin/agenda">Edit the program</Link>
            </li>
          ) : null}
        </ul>
      </header>

      <Filters page={page} base={base} />

      {page.results ? <SearchResults page={page} /> : <Day page={page} base={base} />}

      {page.editions.length > 1 ? (
        <nav className="editions" aria-labelledby="editions-title">
          <h2 id="editions-title">Other editions</h2>
          <ul>
            {page.editions
              .filter((edition) => edition.slug !== conference.slug)
              .map((edition) => (
                <li key={edition.slug}>
                  <Link to={edition.current ? "/agenda" : `/conferences/${edition.slug}/agenda`}>{edition.name}</Link>, {edition.city}
                </li>
              ))}
          </ul>
        </nav>
      ) : null}
    </section>
  );
}

function Filters({ page, base }: { page: AgendaData; base: string }) {
  const { filters, zone } = page;
  const filtered = Boolean(filters.track || filters.type || filters.q);
  return (
    <div role="search">
      <Form method="get" action={base} className="agenda-filters">
        {zone.param ? <input type="hidden" name="tz" value={zone.param} /> : null}
        {filters.day ? <input type="hidden" name="day" value={filters.day} /> : null}
        <div className="filter">
          <label htmlFor="agenda-q">Search titles, abstracts and speakers</label>
          <input id="agenda-q" type="search" name="q" defaultValue={filters.q} key={filters.q} maxLength={100} />
        </div>
        <div className="filter">
          <label htmlFor="agenda-track">Track</label>
          <select id="agenda-track" name="track" defaultValue={filters.track ?? ""} key={filters.track ?? ""}>
            <option value="">All tracks</option>
            {page.tracks.map((track) => (
              <option key={track.slug} value={track.slug}>
                {track.name}
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor="agenda-type">Type</label>
          <select id="agenda-type" name="type" defaultValue={filters.type ?? ""} key={filters.type ?? ""}>
            <option value="">All types</option>
            {Object.entries(SESSION_TYPE_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
        {filtered ? <Link to={agendaHref(base, { tz: zone.param, day: filters.day })}>Clear</Link> : null}
      </Form>
    </div>
  );
}

function Day({ page, base }: { page: AgendaData; base: string }) {
  const { grid, filters, zone } = page;
  const day = page.days.find((d) => d.day === filters.day);
  return (
    <>
      <nav aria-label="Days">
        <ul className="day-tabs">
          {page.days.map((d) => (
            <li key={d.day}>
              <Link
                to={agendaHref(base, { day: d.day, tz: zone.param, track: filters.track, type: filters.type })}
                aria-current={d.day === filters.day ? "page" : undefined}
              >
                {d.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <h2>{day?.label ?? "Sessions"}</h2>
      {page.tracks.length > 0 ? (
        <p className="tags muted">
          {page.tracks.map((track) => (
            <span key={track.slug}>
              <TrackSwatch colour={track.colour} /> <Link to={agendaHref(`/agenda/tracks/${track.slug}`, { tz: zone.param })}>{track.name}</Link>{" "}
            </span>
          ))}
        </p>
      ) : null}
      {!grid || grid.sessions.length === 0 ? (
        <p>No sessions {filters.track || filters.type ? "match on this day" : "on this day"}.</p>
      ) : (
        <div className="grid-scroll">
          <div className={`agenda-grid rooms-${grid.rooms.length}`} {...CLIENT_LINKS}>
            {grid.rooms.map((room, index) => (
              <div key={room} className={`room-head c-${index + 1}`} aria-hidden="true">
                {room}
              </div>
            ))}
            {grid.hours.map((hour) => (
              <div key={hour.row} className={`hour r-${hour.row}`} aria-hidden="true">
                {hour.label}
              </div>
            ))}
            {grid.sessions.map((session) => (
              <SessionCard
                key={session.id}
                session={session}
                tz={zone.param}
                className={`r-${session.row} s-${session.span} ${session.column ? `c-${session.column}` : "c-all"}`}
              />
            ))}
          </div>
        </div>
      )}
    </>
  );
}

function SearchResults({ page }: { page: AgendaData }) {
  const results = page.results ?? [];
  const count = results.reduce((n, day) => n + day.sessions.length, 0);
  return (
    <section aria-labelledby="results-title">
      <h2 id="results-title" aria-live="polite">
        {count === 0 ? `No sessions match “${page.filters.q}”` : `${count} ${count === 1 ? "session matches" : "sessions match"} “${page.filters.q}”`}
      </h2>
      {results.map((day) => (
        <section key={day.day} aria-labelledby={`day-${day.day}`}>
          <h3 id={`day-${day.day}`}>{day.label}</h3>
          <ul className="day-list" {...CLIENT_LINKS}>
            {day.sessions.map((session) => (
              <li key={session.id}>
                <SessionCard session={session} tz={page.zone.param} headingLevel={4} />
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
