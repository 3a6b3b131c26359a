import crypto from "node:crypto";
import type { LinksFunction, MetaFunction } from "react-router";
import { Link, redirect, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { SessionForm } from "#app/components/agenda/session-form.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { CreateSessionSchema, createSession, getEditorOptions, LIMITS } from "#app/.server/agenda/editor.ts";
import { InvalidError } from "#app/.server/errors.ts";
import { invalidForm, parseForm } from "#app/.server/http/forms.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import agendaStyles from "#app/styles/agenda.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: agendaStyles }];

export const meta: MetaFunction = () => [{ title: "Add a session · Program · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "edit:agenda");
  const options = await getEditorOptions(viewer);
  return { options, creationKey: crypto.randomUUID(), limits: LIMITS };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "edit:agenda");
  const form = await parseForm(request, CreateSessionSchema);
  if (!form.ok) return invalidForm(form.errors);
  try {
    const id = await createSession(viewer, form.data);
    throw redirect(`/admin/agenda/sessions/${id}?done=created`);
  } catch (error) {
    if (error instanceof InvalidError) return invalidForm(error.fieldErrors);
    throw error;
  }
}

export default function NewSession() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section>
      <p>
        <Link to="/admin/agenda">← Program</Link>
      </p>
      <h1>Add a session</h1>
      <SessionForm
        options={page.options}
        values={{ title: "", type: "breakout", day: page.options.days[0]?.value ?? "", start: "09:00", end: "10:00", roomId: "", trackId: "", capacity: "", audience: "public", abstract: "", speakerIds: [] }}
        errors={result?.errors}
        hidden={{ creationKey: page.creationKey }}
        submitLabel="Add the session"
        limits={page.limits}
      />
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
