import { data, type MetaFunction } from "react-router";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useLoaderData, useSearchParams } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SelectField } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { listAuditEntries, parseAuditFilter } from "#app/.server/admin/audit.ts";
import { AUDIT_ACTIONS } from "#app/.server/audit/log.ts";
import { TIMESTAMP } from "#app/shared/dates.ts";

export const meta: MetaFunction = () => [{ title: "Audit log · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "read:audit");
  const actions = [{ value: "", label: "All actions" }, ...AUDIT_ACTIONS.map((action) => ({ value: action, label: action }))];
  const parsed = parseAuditFilter(new URL(request.url).searchParams);
  if (!parsed.ok) {
    return data({ actions, errors: parsed.errors, rows: [], newer: null, older: null, filtered: true }, { status: 400 });
  }
  const { filter } = parsed;
  const page = await listAuditEntries(viewer, filter);
  const filtered = Boolean(filter.action || filter.actor || filter.from || filter.to);
  return { actions, errors: undefined, ...page, filtered };
}

export default function Audit() {
  const page = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  // Paging keeps the filter and swaps the cursor.
  const pageLink = (cursor?: { name: "before" | "after"; id: number }) => {
    const next = new URLSearchParams(params);
    next.delete("before");
    next.delete("after");
    if (cursor) next.set(cursor.name, String(cursor.id));
    return `?${next}`;
  };
  const paged = params.has("before") || params.has("after");
  return (
    <section>
      <h1>Audit log</h1>
      <p>
        Every sign-in, account change and decision, newest first. Times are in UTC. The log is append-only: nothing here, or
        anywhere else, can change or remove an entry.
      </p>
      <Form method="get" className="form">
        <FormErrors errors={page.errors} />
        <SelectField name="action" label="Action" defaultValue={params.get("action") ?? ""} options={page.actions} errors={page.errors} />
        <Field name="actor" label="Actor's email address (or part of it)" type="search" defaultValue={params.get("actor") ?? ""} errors={page.errors} />
        <Field name="from" label="From (UTC day)" type="date" defaultValue={params.get("from") ?? ""} errors={page.errors} />
        <Field name="to" label="To (UTC day, included)" type="date" defaultValue={params.get("to") ?? ""} errors={page.errors} />
        <p className="actions">
          <button type="submit">Filter</button>
          {page.filtered ? <Link to="/admin/audit">Clear the filter</Link> : null}
        </p>
      </Form>
      {page.rows.length === 0 ? (
        <p>No entries{page.filtered ? " match" : ""}.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="muted">Audit entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Subject</th>
                <th scope="col">IP address</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((entry) => (
                <tr key={entry.id}>
                  <td>
                    <time dateTime={entry.at.toISOString()}>{TIMESTAMP.format(entry.at)}</time>
                  </td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>{entry.actorEmail ?? (entry.actorId ? <span className="muted">Deleted account {entry.actorId}</span> : <span className="muted">None</span>)}</td>
                  <td>
                    {entry.subjectType ? (
                      entry.subjectEmail ?? (
                        <span className="muted">
                          {entry.subjectType} {entry.subjectId}
                        </span>
                      )
                    ) : (
                      <span className="muted">None</span>
                    )}
                  </td>
                  <td>{entry.ip ?? <span className="muted">Unknown</span>}</td>
                  <td>{Object.keys(entry.details).length > 0 ? <code>{JSON.stringify(entry.details)}</code> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Pages of the audit log" className="actions">
        {page.newer !== null ? <Link to={pageLink({ name: "after", id: page.newer })}>Newer entries</Link> : null}
        {page.older !== null ? <Link to={pageLink({ name: "before", id: page.older })}>Older entries</Link> : null}
        {paged ? <Link to={pageLink()}>Newest entries</Link> : null}
      </nav>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
