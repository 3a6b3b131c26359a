import type { LinksFunction, MetaFunction } from "react-router";
import { Form, Link, redirect, useActionData, useLoaderData, useSearchParams } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { SubmitButton } from "#app/components/forms.tsx";
import { SessionForm } from "#app/components/agenda/session-form.tsx";
import { STATUS_LABELS } from "#app/components/agenda/links.ts";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import {
  getEditorOptions,
  getSessionForEditor,
  LIMITS,
  SessionPageSchema,
  setSessionCancelled,
  updateSession,
} from "#app/.server/agenda/editor.ts";
import { SessionIdSchema } from "#app/.server/agenda/schemas.ts";
import { ConflictError, InvalidError, NotFoundError } from "#app/.server/errors.ts";
import { formError, invalidForm, parseForm } from "#app/.server/http/forms.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import agendaStyles from "#app/styles/agenda.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: agendaStyles }];

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.session.values.title} · Program · Liaison` : "Session · Liaison" }];

function sessionId(params: LoaderFunctionArgs["params"]): string {
  const parsed = SessionIdSchema.safeParse(params.id);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "edit:agenda");
  const id = sessionId(params);
  const [options, session] = await Promise.all([getEditorOptions(viewer), getSessionForEditor(viewer, id)]);
  return { options, session, limits: LIMITS };
}

const DONE: Record<string, string> = {
  created: "The session is on the program.",
  saved: "Saved.",
  cancelled: "The session is cancelled.",
  reinstated: "The session is back on the program.",
};

/** Save the form (an edit or a move), or cancel or reinstate the session. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "edit:agenda");
  const id = sessionId(params);
  const form = await parseForm(request, SessionPageSchema);
  if (!form.ok) return invalidForm(form.errors);
  const origin = { ip: context.ip, link: (path: string) => siteUrl(request, path) };
  try {
    if (form.data.intent === "save") {
      await updateSession(viewer, id, form.data, origin);
      throw redirect(`/admin/agenda/sessions/${id}?done=saved`);
    }
    await setSessionCancelled(viewer, id, form.data.intent === "cancel", origin);
    throw redirect(`/admin/agenda/sessions/${id}?done=${form.data.intent === "cancel" ? "cancelled" : "reinstated"}`);
  } catch (error) {
    if (error instanceof InvalidError) return invalidForm(error.fieldErrors);
    if (error instanceof ConflictError) return formError(error.publicMessage, 409);
    throw error;
  }
}

export default function EditSession() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const done = DONE[params.get("done") ?? ""];
  const { session } = page;
  const cancelled = session.status === "cancelled";
  return (
    <section>
      <p>
        <Link to="/admin/agenda">← Program</Link> · <Link to={`/agenda/sessions/${session.id}`}>See the session page</Link>
      </p>
      <h1>{session.values.title}</h1>
      {done && !result ? (
        <p className="notice success" role="status">
          {done}
        </p>
      ) : null}
      {STATUS_LABELS[session.status] ? <p className="badge">{STATUS_LABELS[session.status]}</p> : null}
      {page.options.conference.published ? (
        <p>The program is published: a new time or room, or a cancellation, is announced to everyone who starred this session.</p>
      ) : null}
      {/* A new key after each save shows the saved values and the new version. */}
      <SessionForm
        key={session.version}
        options={page.options}
        values={session.values}
        errors={result?.errors}
        hidden={{ version: session.version }}
        submitLabel="Save"
        limits={page.limits}
      >
        <input type="hidden" name="intent" value="save" />
      </SessionForm>
      <h2>{cancelled ? "Put it back on the program" : "Cancel the session"}</h2>
      <Form method="post">
        <p>{cancelled ? "The session takes place after all, at the time and in the room above." : "The session stays on the program, marked cancelled."}</p>
        {cancelled ? (
          <SubmitButton name="intent" value="reinstate">
            Reinstate the session
          </SubmitButton>
        ) : (
          <SubmitButton name="intent" value="cancel" className="danger">
            Cancel the session
          </SubmitButton>
        )}
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
