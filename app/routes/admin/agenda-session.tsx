import type { LinksFunction } from "react-router";
import { Link, useActionData, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ConfirmAction, ValidatedForm } from "#app/components/forms.tsx";
import { SessionForm } from "#app/components/agenda/session-form.tsx";
import { STATUS_LABELS } from "#app/components/agenda/links.ts";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import {
  getEditorOptions,
  getSessionForEditor,
  SessionPageSchema,
  setSessionCancelled,
  updateSession,
} from "#app/.server/agenda/editor.ts";
import { SessionIdSchema } from "#app/.server/agenda/schemas.ts";
import { NotFoundError } from "#app/.server/errors.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { handleForm } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import agendaStyles from "#app/styles/agenda.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: agendaStyles }];

export const meta = errorAwareMeta<typeof loader>(({ data }) => [{ title: data ? `${data.session.values.title} · Program · Liaison` : "Session · Liaison" }]);

function sessionId(params: LoaderFunctionArgs["params"]): string {
  const parsed = SessionIdSchema.safeParse(params.id);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "edit:agenda");
  const id = sessionId(params);
  const [options, session] = await Promise.all([getEditorOptions(viewer), getSessionForEditor(viewer, id)]);
  return { options, session, constraints: formConstraints(SessionPageSchema, "save") };
}

/** Save the form (an edit or a move), or cancel or reinstate the session. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "edit:agenda");
  const id = sessionId(params);
  const origin = { ip: context.ip, link: (path: string) => siteUrl(request, path) };
  return handleForm(request, SessionPageSchema, async (input) => {
    if (input.intent === "save") {
      await updateSession(viewer, id, input, origin);
      throw redirectWithNotice(`/admin/agenda/sessions/${id}`, "session-saved");
    }
    await setSessionCancelled(viewer, id, input.intent === "cancel", origin);
    throw redirectWithNotice(`/admin/agenda/sessions/${id}`, input.intent === "cancel" ? "session-cancelled" : "session-reinstated");
  });
}

export default function EditSession() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const { session } = page;
  const cancelled = session.status === "cancelled";
  return (
    <section>
      <p>
        <Link to="/admin/agenda">← Program</Link> · <Link to={`/agenda/sessions/${session.id}`}>See the session page</Link>
      </p>
      <h1 dir="auto">{session.values.title}</h1>
      {STATUS_LABELS[session.status] ? <p className="badge">{STATUS_LABELS[session.status]}</p> : null}
      {page.options.conference.published ? (
        <p>The program is published: a new time or room, or a cancellation, is announced to everyone who starred this session.</p>
      ) : null}
      {/* A new key after each save shows the saved values and the new version. */}
      <SessionForm
        key={session.version}
        options={page.options}
        values={session.values}
        reply={reply}
        intent="save"
        constraints={page.constraints}
        hidden={{ version: session.version }}
        submitLabel="Save"
      />
      <h2>{cancelled ? "Put it back on the program" : "Cancel the session"}</h2>
      {cancelled ? (
        <ValidatedForm reply={reply} intent="reinstate">
          <ConfirmAction label="Reinstate the session" confirmLabel="Yes, reinstate it">
            <p>
              The session takes place after all, at the time and in the room above. Everyone who starred it is told. Sign-ups and waitlist places
              ended by the cancellation are not restored: people sign up again.
            </p>
          </ConfirmAction>
        </ValidatedForm>
      ) : (
        <ValidatedForm reply={reply} intent="cancel">
          <ConfirmAction label="Cancel the session" confirmLabel="Yes, cancel it" className="danger">
            <p>
              The session stays on the program, marked cancelled; everyone who starred it is told. Its sign-ups and waitlist end, and each person
              on them is mailed. You can reinstate it later, but sign-ups do not come back.
            </p>
          </ConfirmAction>
        </ValidatedForm>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
