import type { LinksFunction } from "react-router";
import { Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { DataTable } from "#app/components/data-table.tsx";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ConfirmAction, ValidatedForm } from "#app/components/forms.tsx";
import { AUDIENCE_LABELS, SESSION_TYPE_LABELS, STATUS_LABELS } from "#app/components/agenda/links.ts";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { listProgramForEditor, publishProgram } from "#app/.server/agenda/editor.ts";
import { handleForm } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import agendaStyles from "#app/styles/agenda.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: agendaStyles }];

export const meta = errorAwareMeta(() => [{ title: "Program · Admin · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "edit:agenda");
  return listProgramForEditor(viewer);
}

const PublishSchema = z.object({ intent: z.literal("publish", { error: "Choose what to do." }) });

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "edit:agenda");
  return handleForm(request, PublishSchema, async () => {
    await publishProgram(viewer);
    throw redirectWithNotice("/admin/agenda", "program-published");
  });
}

export default function AgendaEditor() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <section>
      <p>
        <Link to="/admin">← Admin</Link>
      </p>
      <h1>Program of {page.conference.name}</h1>
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
        <ValidatedForm reply={reply} intent="publish">
          <ConfirmAction label="Publish the program" confirmLabel="Yes, publish it">
            <p>Everyone can see the program from now on, and every later change of time or room is announced to those who starred the session.</p>
          </ConfirmAction>
        </ValidatedForm>
      ) : null}
      {page.days.map((day) => (
        <section key={day.day} className="editor-day" aria-labelledby={`editor-${day.day}`}>
          <h2 id={`editor-${day.day}`}>{day.label}</h2>
          <DataTable caption={`Sessions on ${day.label}`}>
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
                      <Link to={`/admin/agenda/sessions/${session.id}`} dir="auto">
                        {session.title}
                      </Link>
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
          </DataTable>
        </section>
      ))}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
