import { Link, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { DayList } from "#app/components/agenda/day-list.tsx";
import { agendaHref } from "#app/components/agenda/links.ts";
import { TrackSwatch } from "#app/components/agenda/track-swatch.tsx";
import { ZoneSwitch } from "#app/components/agenda/zone-switch.tsx";
import { agendaLinks } from "#app/components/agenda/styles.ts";
import { accessScope } from "#app/.server/access/audience.ts";
import { getTrackAgenda } from "#app/.server/agenda/program.ts";
import { parseAgendaQuery } from "#app/.server/agenda/schemas.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";

export const links = agendaLinks;

export const meta = errorAwareMeta<typeof loader>(({ data }) => [{ title: data ? `${data.track.name} · Program · Liaison` : "Track · Liaison" }]);

/** Depends on published content and the address only: anonymous visitors get it from the render cache. */
export const handle = { renderCache: true };

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { zone } = parseAgendaQuery(new URL(request.url).searchParams);
  const viewer = context.viewer;
  return getTrackAgenda({ scope: accessScope(viewer), viewerId: viewer?.id ?? null, zone }, params.slug ?? "");
}

export default function Track() {
  const page = useLoaderData<typeof loader>();
  const count = page.days.reduce((n, day) => n + day.sessions.length, 0);
  return (
    <section>
      <p>
        <Link to={agendaHref("/agenda", { tz: page.zone.param })}>← {page.conference.name}</Link>
      </p>
      <h1>
        <TrackSwatch colour={page.track.colour} /> {page.track.name}
      </h1>
      <p>
        {count} {count === 1 ? "session" : "sessions"} in this track. Times are <strong>{page.zone.label}</strong>.
      </p>
      <ZoneSwitch key={page.zone.active} active={page.zone.active} choices={page.zone.choices} keep={{}} />
      <DayList days={page.days} tz={page.zone.param} />
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
