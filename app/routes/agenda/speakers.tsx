import { Link, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { accessScope } from "#app/.server/access/audience.ts";
import { listSpeakers } from "#app/.server/agenda/program.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";

export const meta = errorAwareMeta<typeof loader>(({ data }) => [{ title: data ? `Speakers · ${data.conference.name} · Liaison` : "Speakers · Liaison" }]);

/** Depends on published content and the address only: anonymous visitors get it from the render cache. */
export const handle = { renderCache: true };

export async function loader({ context }: LoaderFunctionArgs) {
  return listSpeakers(accessScope(context.viewer));
}

export default function Speakers() {
  const page = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Speakers</h1>
      <p>
        Who speaks at {page.conference.name}, {page.conference.dates}. See also <Link to="/agenda">the program</Link>.
      </p>
      {page.speakers.length === 0 ? (
        <p>No speakers have been announced yet.</p>
      ) : (
        <ul className="speaker-list">
          {page.speakers.map((speaker) => (
            <li key={speaker.slug}>
              <Link to={`/speakers/${speaker.slug}`}>{speaker.name}</Link>, {speaker.title}, {speaker.agency}{" "}
              <span className="muted">
                ({speaker.sessions} {speaker.sessions === 1 ? "session" : "sessions"})
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
