import { Link, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Markdown } from "#app/components/markdown.tsx";
import { DayList } from "#app/components/agenda/day-list.tsx";
import { agendaLinks } from "#app/components/agenda/styles.ts";
import { accessScope } from "#app/.server/access/audience.ts";
import { getSpeakerView } from "#app/.server/agenda/program.ts";
import { parseAgendaQuery } from "#app/.server/agenda/schemas.ts";
import { CONTENT_SLUG } from "#app/.server/content/source.ts";
import { NotFoundError } from "#app/.server/errors.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";

export const links = agendaLinks;

export const meta = errorAwareMeta<typeof loader>(({ data }) => [{ title: data ? `${data.speaker.name} · Speakers · Liaison` : "Speaker · Liaison" }]);

/** Depends on published content and the address only: anonymous visitors get it from the render cache. */
export const handle = { renderCache: true };

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const slug = params.slug ?? "";
  if (!CONTENT_SLUG.test(slug)) throw new NotFoundError();
  const { zone } = parseAgendaQuery(new URL(request.url).searchParams);
  const viewer = context.viewer;
  return getSpeakerView({ scope: accessScope(viewer), viewerId: viewer?.id ?? null, zone }, slug);
}

export default function Speaker() {
  const page = useLoaderData<typeof loader>();
  const { speaker } = page;
  return (
    <article>
      <p>
        <Link to="/speakers">← Speakers</Link>
      </p>
      <h1>{speaker.name}</h1>
      <p className="lead">
        {speaker.title}, {speaker.agency}
      </p>
      {speaker.photoPath ? <img className="speaker-photo" src={speaker.photoPath} alt={`Portrait of ${speaker.name}`} width={160} height={160} /> : null}
      <div className="prose">
        <Markdown html={speaker.bioHtml} />
      </div>
      {page.editions.map((edition) => (
        <section key={edition.conference.slug} aria-labelledby={`edition-${edition.conference.slug}`}>
          <h2 id={`edition-${edition.conference.slug}`}>
            At {edition.conference.name}
            {edition.conference.current ? "" : " (past edition)"}
          </h2>
          <DayList days={edition.days} tz={page.zone.param} level={3} />
        </section>
      ))}
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
