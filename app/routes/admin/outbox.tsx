import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useLoaderData } from "react-router";
import { DataTable } from "#app/components/data-table.tsx";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { listOutbox } from "#app/.server/admin/outbox.ts";
import { DATE_TIME } from "#app/shared/dates.ts";

export const meta = errorAwareMeta(() => [{ title: "Mail outbox · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "read:outbox");
  const before = Number(new URL(request.url).searchParams.get("before"));
  return listOutbox(viewer, Number.isSafeInteger(before) && before > 0 ? { before } : {});
}

const STATUS_LABELS = { pending: "Waiting", sent: "Sent", failed: "Failed" } as const;

function Time({ date }: { date: Date | null }) {
  if (!date) return <span className="muted">Not yet</span>;
  return <time dateTime={date.toISOString()}>{DATE_TIME.format(date)}</time>;
}

export default function Outbox() {
  const page = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Mail outbox</h1>
      <p>Mail the site has queued, newest first. Times are in UTC. Failed mail is retried with increasing pauses.</p>
      {page.bodiesVisible ? (
        <p className="notice">
          This is a demo or development site without an SMTP server: no mail leaves it, this outbox is the only mailbox, and the
          messages are shown in full. On a real site their text is hidden here, because it holds sign-in and password-reset links
          meant for the recipient alone.
        </p>
      ) : (
        <p className="notice">
          The text of messages is not shown here: it holds sign-in and password-reset links meant for the recipient alone.
        </p>
      )}
      {page.rows.length === 0 ? (
        <p>No mail.</p>
      ) : (
        <DataTable caption="Queued and sent mail">
            <thead>
              <tr>
                <th scope="col">To</th>
                <th scope="col">Subject</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Queued (UTC)</th>
                <th scope="col">Sent (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((mail) => (
                <tr key={mail.id}>
                  <td>{mail.to}</td>
                  <td>
                    {mail.subject}
                    {mail.body !== null ? (
                      <details>
                        <summary>Message</summary>
                        <pre>{mail.body}</pre>
                      </details>
                    ) : null}
                  </td>
                  <td>
                    {STATUS_LABELS[mail.status]}
                    {mail.status !== "sent" && mail.lastError ? (
                      <>
                        <br />
                        <span className="muted">{mail.lastError}</span>
                      </>
                    ) : null}
                  </td>
                  <td>{mail.attempts}</td>
                  <td>
                    <Time date={mail.createdAt} />
                  </td>
                  <td>
                    <Time date={mail.sentAt} />
                  </td>
                </tr>
              ))}
            </tbody>
        </DataTable>
      )}
      <nav aria-label="Pages of the outbox" className="actions">
        {page.older !== null ? <Link to={`?before=${page.older}`}>Older mail</Link> : null}
        {page.rows.length > 0 && page.older === null ? <span className="muted">End of the outbox.</span> : null}
        <Link to="/admin/outbox">Newest mail</Link>
      </nav>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
