import crypto from "node:crypto";
import type { LinksFunction } from "react-router";
import { Link, useActionData, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { SessionForm } from "#app/components/agenda/session-form.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { CreateSessionSchema, createSession, getEditorOptions } from "#app/.server/agenda/editor.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { handleForm } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import agendaStyles from "#app/styles/agenda.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: agendaStyles }];

export const meta = errorAwareMeta(() => [{ title: "Add a session · Program · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "edit:agenda");
  const options = await getEditorOptions(viewer);
  return { options, creationKey: crypto.randomUUID(), constraints: formConstraints(CreateSessionSchema) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "edit:agenda");
  return handleForm(request, CreateSessionSchema, async (input) => {
    const id = await createSession(viewer, input);
    throw redirectWithNotice(`/admin/agenda/sessions/${id}`, "session-created");
  });
}

export default function NewSession() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <section>
      <p>
        <Link to="/admin/agenda">← Program</Link>
      </p>
      <h1>Add a session</h1>
      <SessionForm
        options={page.options}
        values={{ title: "", type: "breakout", day: page.options.days[0]?.value ?? "", start: "09:00", end: "10:00", roomId: "", trackId: "", capacity: "", audience: "public", abstract: "", speakerIds: [] }}
        reply={reply}
        constraints={page.constraints}
        hidden={{ creationKey: page.creationKey }}
        submitLabel="Add the session"
      />
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
