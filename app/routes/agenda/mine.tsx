import { Link, useActionData, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { DayList } from "#app/components/agenda/day-list.tsx";
import { agendaHref } from "#app/components/agenda/links.ts";
import { ZoneSwitch } from "#app/components/agenda/zone-switch.tsx";
import { agendaLinks } from "#app/components/agenda/styles.ts";
import { ConfirmAction, Notice, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { requireVerifiedViewer } from "#app/.server/accounts/guards.ts";
import { createFeedToken, revokeFeed } from "#app/.server/agenda/feeds.ts";
import { responseLinks } from "#app/.server/agenda/links.ts";
import { FeedSchema, parseAgendaQuery } from "#app/.server/agenda/schemas.ts";
import { getPersonalAgenda } from "#app/.server/agenda/stars.ts";
import { formSuccess, handleForm } from "#app/.server/http/forms.ts";
import { DATE_TIME } from "#app/shared/dates.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";

export const links = agendaLinks;

export const meta = errorAwareMeta(() => [{ title: "My agenda · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireVerifiedViewer(request, context);
  const { zone } = parseAgendaQuery(new URL(request.url).searchParams);
  return getPersonalAgenda(viewer, zone);
}

/** The personal calendar address: make one (replacing the old, which stops working) or revoke it. */
export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireVerifiedViewer(request, context);
  return handleForm(request, FeedSchema, async (input) => {
    if (input.intent === "revoke-feed") {
      await revokeFeed(viewer);
      return formSuccess<{ feedUrl: string | null }>("Revoked: the old address no longer works.", { feedUrl: null });
    }
    const token = await createFeedToken(viewer);
    // Shown once: only the token's hash is kept.
    return formSuccess<{ feedUrl: string | null }>(null, { feedUrl: responseLinks(request).link(`/agenda/feed/${token}.ics`) });
  });
}

export default function MyAgenda() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const created = reply?.status === "success" ? reply.data.feedUrl : null;
  const overlapping = Object.keys(page.overlaps).length;
  return (
    <section>
      <p>
        <Link to={agendaHref("/agenda", { tz: page.zone.param })}>← {page.conference.name}</Link>
      </p>
      <h1>My agenda</h1>
      {page.count === 0 ? (
        <p>
          You have not starred any sessions yet. Star sessions in <Link to={agendaHref("/agenda", { tz: page.zone.param })}>the program</Link> and they
          appear here.
        </p>
      ) : (
        <p>
          {page.count} starred {page.count === 1 ? "session" : "sessions"}. Times are <strong>{page.zone.label}</strong>.
        </p>
      )}
      {overlapping > 0 ? (
        <p className="notice error" role="status">
          {overlapping} of your sessions overlap with another you starred: you will have to choose.
        </p>
      ) : null}
      <ZoneSwitch key={page.zone.active} active={page.zone.active} choices={page.zone.choices} keep={{}} />
      <DayList days={page.days} tz={page.zone.param} overlaps={page.overlaps} />

      <section aria-labelledby="feed-title" className="card">
        <h2 id="feed-title">Your agenda in your calendar</h2>
        <p>
          A private address your calendar app can subscribe to: it shows the sessions you star here and follows every change. Anyone who has the
          address can read the list, so keep it to yourself; you can replace or revoke it at any time.
        </p>
        {created ? (
          <div className="notice success" role="status">
            <p>
              Your calendar address (copy it now: we do not keep it and cannot show it again):
            </p>
            <p className="feed-url">{created}</p>
            <p>
              <a href={created.replace(/^https?:/, "webcal:")}>Subscribe in your calendar app</a>
            </p>
          </div>
        ) : reply?.status === "success" && reply.notice ? (
          <Notice>{reply.notice}</Notice>
        ) : null}
        {page.feed ? (
          <p>
            You made an address on {DATE_TIME.format(page.feed.createdAt)} UTC
            {page.feed.lastUsedAt ? `; a calendar last read it on ${DATE_TIME.format(page.feed.lastUsedAt)} UTC` : "; no calendar has read it yet"}.
          </p>
        ) : null}
        <div className="actions">
          <ValidatedForm reply={reply} intent="create-feed">
            {page.feed ? (
              <ConfirmAction label="Replace the address" confirmLabel="Yes, replace it">
                <p>The old address stops working at once: calendars that use it must subscribe to the new one.</p>
              </ConfirmAction>
            ) : (
              <SubmitButton>Make a calendar address</SubmitButton>
            )}
          </ValidatedForm>
          {page.feed ? (
            <ValidatedForm announce={false} reply={reply} intent="revoke-feed">
              <ConfirmAction label="Revoke the address" confirmLabel="Yes, revoke it" className="danger">
                <p>Calendars that subscribe to it stop getting your agenda.</p>
              </ConfirmAction>
            </ValidatedForm>
          ) : null}
        </div>
      </section>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
