import { redirect } from "react-router";
import { Link, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Markdown } from "#app/components/markdown.tsx";
import { agendaHref, AUDIENCE_LABELS, SESSION_TYPE_LABELS, STATUS_LABELS } from "#app/components/agenda/links.ts";
import { StarButton } from "#app/components/agenda/star-button.tsx";
import { TrackSwatch } from "#app/components/agenda/track-swatch.tsx";
import { ZoneSwitch } from "#app/components/agenda/zone-switch.tsx";
import { agendaLinks } from "#app/components/agenda/styles.ts";
import { can, requireVerifiedViewer, safeRedirectPath } from "#app/.server/accounts/guards.ts";
import { accessScope } from "#app/.server/access/audience.ts";
import { getSessionView } from "#app/.server/agenda/program.ts";
import { parseAgendaQuery, SessionIdSchema, StarSchema } from "#app/.server/agenda/schemas.ts";
import { setStar } from "#app/.server/agenda/stars.ts";
import { NotFoundError } from "#app/.server/errors.ts";
import { formSuccess, handleForm } from "#app/.server/http/forms.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";

export const links = agendaLinks;

export const meta = errorAwareMeta<typeof loader>(({ data }) => [{ title: data ? `${data.session.title} · Program · Liaison` : "Session · Liaison" }]);

function sessionId(params: LoaderFunctionArgs["params"]): string {
  const parsed = SessionIdSchema.safeParse(params.id);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

/** Depends on published content and the address only: anonymous visitors get it from the render cache. */
export const handle = { renderCache: true };

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { zone } = parseAgendaQuery(new URL(request.url).searchParams);
  const viewer = context.viewer;
  const view = await getSessionView({ scope: accessScope(viewer), viewerId: viewer?.id ?? null, zone }, sessionId(params));
  return { ...view, signedIn: viewer !== null, canEdit: can(viewer, "edit:agenda") && view.conference.current };
}

/**
 * Star or unstar: a fetcher gets the new state; a plain form goes back to the page it came from, which its address
 * names (`?returnTo=`).
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = requireVerifiedViewer(request, context);
  const id = sessionId(params);
  const returnTo = new URL(request.url).searchParams.get("returnTo");
  return handleForm(request, StarSchema, async (input) => {
    const result = await setStar(viewer, id, input.intent === "star");
    if (returnTo !== null) throw redirect(safeRedirectPath(returnTo, `/agenda/sessions/${id}`));
    return formSuccess(null, result);
  });
}

export default function Session() {
  const page = useLoaderData<typeof loader>();
  const { session, conference, zone } = page;
  const tz = zone.param;
  const status = STATUS_LABELS[session.status];
  const audience = AUDIENCE_LABELS[session.audience];
  return (
    <article className="prose">
      <p>
        <Link to={agendaHref(conference.current ? "/agenda" : `/conferences/${conference.slug}/agenda`, { tz })}>← {conference.name}</Link>
      </p>
      <h1>{session.title}</h1>
      {status ? (
        <p className={`notice ${session.status === "cancelled" ? "error" : ""}`}>
          <strong>{status}.</strong> {session.status === "cancelled" ? "This session will not take place." : "This session has moved: check the time and room below."}
        </p>
      ) : null}
      <dl>
        <dt>When</dt>
        <dd>
          {session.day}, {session.start}–{session.end}
          {session.endsNextDay ? " (ends the next day)" : ""} <span className="muted">({zone.label})</span>
        </dd>
        <dt>Where</dt>
        <dd>
          {session.room ?? "See the description"}, {conference.venue}, {conference.city}
        </dd>
        <dt>Type</dt>
        <dd>{SESSION_TYPE_LABELS[session.type]}</dd>
        {session.track ? (
          <>
            <dt>Track</dt>
            <dd>
              <TrackSwatch colour={session.track.colour} /> <Link to={agendaHref(`/agenda/tracks/${session.track.slug}`, { tz })}>{session.track.name}</Link>
            </dd>
          </>
        ) : null}
        {session.capacity ? (
          <>
            <dt>Seats</dt>
            <dd>{session.capacity} (limited)</dd>
          </>
        ) : null}
        {audience ? (
          <>
            <dt>Open to</dt>
            <dd>{audience === "Members only" ? "Vetted members only" : "Registered attendees only"}</dd>
          </>
        ) : null}
      </dl>
      <ZoneSwitch key={zone.active} active={zone.active} choices={zone.choices} keep={{}} />
      {page.signedIn && session.starred !== undefined ? (
        <StarButton sessionId={session.id} title={session.title} starred={session.starred} />
      ) : (
        <p>
          <Link to={`/login?redirectTo=${encodeURIComponent(`/agenda/sessions/${session.id}`)}`}>Sign in</Link> to star this session for your agenda.
        </p>
      )}
      <p>
        <a href={`/agenda/sessions/${session.id}.ics`}>Add to your calendar (iCalendar)</a>
        {page.canEdit ? (
          <>
            {" · "}
            <Link to={`/admin/agenda/sessions/${session.id}`}>Edit this session</Link>
          </>
        ) : null}
      </p>
      {session.abstractHtml ? <Markdown html={session.abstractHtml} /> : null}
      {page.speakers.length > 0 ? (
        <section aria-labelledby="speakers-title">
          <h2 id="speakers-title">{page.speakers.length === 1 ? "Speaker" : "Speakers"}</h2>
          <ul>
            {page.speakers.map((speaker) => (
              <li key={speaker.slug}>
                <Link to={agendaHref(`/speakers/${speaker.slug}`, { tz })}>{speaker.name}</Link>, {speaker.title}, {speaker.agency}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {page.changes.length > 0 ? (
        <section aria-labelledby="changes-title">
          <h2 id="changes-title">Changes</h2>
          <ul>
            {page.changes.map((change) => (
              <li key={change.id}>{change.summary}</li>
            ))}
          </ul>
        </section>
      ) : null}
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
