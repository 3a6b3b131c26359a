import { Link, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { agendaHref } from "#app/components/agenda/links.ts";
import { accessScope } from "#app/.server/access/audience.ts";
import { getChangelog } from "#app/.server/agenda/program.ts";
import { parseAgendaQuery } from "#app/.server/agenda/schemas.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";

export const meta = errorAwareMeta<typeof loader>(({ data }) => [{ title: data ? `Program changes · ${data.conference.name} · Liaison` : "Program changes · Liaison" }]);

/** Depends on published content and the address only: anonymous visitors get it from the render cache. */
export const handle = { renderCache: true };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const { zone } = parseAgendaQuery(new URL(request.url).searchParams);
  return getChangelog({ scope: accessScope(context.viewer), viewerId: null, zone });
}

export default function Changes() {
  const page = useLoaderData<typeof loader>();
  return (
    <section>
      <p>
        <Link to={agendaHref("/agenda", { tz: page.zone.param })}>← {page.conference.name}</Link>
      </p>
      <h1>Program changes</h1>
      <p>
        Every change to the published program: times, rooms and cancellations, newest first. Times are <strong>{page.zone.label}</strong>. If you
        starred a session, we also tell you by mail.
      </p>
      {page.changes.length === 0 ? (
        <p>No changes since the program was published.</p>
      ) : (
        <ol reversed>
          {page.changes.map((change) => (
            <li key={change.id}>
              <Link to={agendaHref(`/agenda/sessions/${change.sessionId}`, { tz: page.zone.param })}>{change.title}</Link>: {change.summary}.{" "}
              <span className="muted">Changed {change.at}.</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
