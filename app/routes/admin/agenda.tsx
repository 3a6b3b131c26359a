import type { LinksFunction, MetaFunction } from "react-router";
import { Form, Link, redirect, useLoaderData, useSearchParams } from "react-router";
import { z } from "zod";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { SubmitButton } from "#app/components/forms.tsx";
import { AUDIENCE_LABELS, SESSION_TYPE_LABELS, STATUS_LABELS } from "#app/components/agenda/links.ts";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { listProgramForEditor, publishProgram } from "#app/.server/agenda/editor.ts";
import { invalidForm, parseForm } from "#app/.server/http/forms.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import agendaStyles from "#app/styles/agenda.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: agendaStyles }];

export const meta: MetaFunction = () => [{ title: "Program · Admin · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "edit:agenda");
  return listProgramForEditor(viewer);
}

const PublishSchema = z.object({ intent: z.literal("publish", { error: "Choose what to do." }) });

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "edit:agenda");
  const form = await parseForm(request, PublishSchema);
  if (!form.ok) return invalidForm(form.errors);
  await publishProgram(viewer);
  throw redirect("/admin/agenda?done=published");
}

const DONE: Record<string, string> = {
  published: "The program is published: everyone can see it now, and changes from here on are announced.",
  created: "The session is on the program.",
};

export default function AgendaEditor() {
  const page = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const done = DONE[params.get("done") ?? ""];
  return (
    <section>
      <p>
        <Link to="/admin">← Admin</Link>
      </p>
      <h1>Program of {page.conference.name}</h1>
      {done ? (
        <p className="notice success" role="status">
          {done}
        </p>
      ) : null}
      <p>
        Times are the venue&rsquo;s ({page.conference.timeZone.replace(/_/g, " ")}).{" "}
        {page.conference.published
          ? "The program is published: every change of time or room, and every cancellation, goes into the public changelog and is mailed to the people who starred the session."
          : "The program is a draft: only organizers see it."}
      </p>
      <p className="actions">
        <Link className="button" to="/admin/agenda/sessions/new">
          Add a session
        </Link>
        <Link to="/agenda">See the program as attendees do</Link>
      </p>
      {!page.conference.published ? (
        <Form method="post">
          <SubmitButton name="intent" value="publish">
            Publish the program
          </SubmitButton>
        </Form>
      ) : null}
      {page.days.map((day) => (
        <section key={day.day} className="editor-day" aria-labelledby={`editor-${day.day}`}>
          <h2 id={`editor-${day.day}`}>{day.label}</h2>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Session</th>
                  <th scope="col">Room</th>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {day.sessions.map((session) => (
                  <tr key={session.id}>
                    <td>
                      {session.start}–{session.end}
                    </td>
                    <td>
                      <Link to={`/admin/agenda/sessions/${session.id}`}>{session.title}</Link>
                      {AUDIENCE_LABELS[session.audience as keyof typeof AUDIENCE_LABELS] ? (
                        <span className="badge">{AUDIENCE_LABELS[session.audience as keyof typeof AUDIENCE_LABELS]}</span>
                      ) : null}
                    </td>
                    <td>{session.room ?? "—"}</td>
                    <td>{SESSION_TYPE_LABELS[session.type as keyof typeof SESSION_TYPE_LABELS]}</td>
                    <td>{STATUS_LABELS[session.status] ?? "Scheduled"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
