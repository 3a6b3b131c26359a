import { data } from "react-router";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useLoaderData, useSearchParams } from "react-router";
import { DataTable } from "#app/components/data-table.tsx";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ErrorSummary, Field, SelectField } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { listAuditEntries, parseAuditFilter } from "#app/.server/admin/audit.ts";
import { AUDIT_ACTION_OPTIONS, auditActionLabel, auditSentence, describeDetails } from "#app/.server/admin/audit-text.ts";
import { TIMESTAMP } from "#app/shared/dates.ts";

export const meta = errorAwareMeta(() => [{ title: "Audit log · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "read:audit");
  const actions = [{ value: "", label: "All actions" }, ...AUDIT_ACTION_OPTIONS];
  const parsed = parseAuditFilter(new URL(request.url).searchParams);
  if (!parsed.ok) {
    return data({ actions, errors: parsed.errors, rows: [], newer: null, older: null, filtered: true }, { status: 400 });
  }
  const { filter } = parsed;
  const page = await listAuditEntries(viewer, filter);
  const filtered = Boolean(filter.action || filter.actor || filter.subject || filter.from || filter.to);
  const rows = page.rows.map((entry) => ({
    id: entry.id,
    at: entry.at,
    ip: entry.ip,
    label: auditActionLabel(entry.action),
    sentence: auditSentence({
      action: entry.action,
      actor: entry.actorEmail,
      actorDeleted: entry.actorId !== null && entry.actorEmail === null,
      subject: entry.subjectEmail,
    }),
    details: describeDetails(entry.details),
  }));
  return { actions, errors: undefined, rows, newer: page.newer, older: page.older, filtered };
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
  const subject = params.get("subject");
  return (
    <section>
      <h1>Audit log</h1>
      <p>
        Every sign-in, account change and decision, newest first. Times are in UTC. The log is append-only: nothing here, or
        anywhere else, can change or remove an entry.
      </p>
      <Form method="get" className="form" role="search" aria-label="Filter the audit log">
        {page.errors ? <ErrorSummary errors={page.errors} formId="audit-filter" /> : null}
        {subject ? <input type="hidden" name="subject" value={subject} /> : null}
        <SelectField name="action" label="Action" defaultValue={params.get("action") ?? ""} options={page.actions} errors={page.errors?.action} />
        <Field name="actor" label="Who did it: email address, or part of it" type="search" defaultValue={params.get("actor") ?? ""} errors={page.errors?.actor} />
        <Field name="from" label="From (UTC day)" type="date" defaultValue={params.get("from") ?? ""} errors={page.errors?.from} />
        <Field name="to" label="To (UTC day, included)" type="date" defaultValue={params.get("to") ?? ""} errors={page.errors?.to} />
        <p className="actions">
          <button type="submit">Filter</button>
          {page.filtered ? <Link to="/admin/audit">Clear the filter</Link> : null}
        </p>
      </Form>
      {page.rows.length === 0 ? (
        <p>No entries{page.filtered ? " match" : ""}.</p>
      ) : (
        <DataTable caption={subject ? "Entries about one account, newest first" : "Audit entries, newest first"}>
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">What happened</th>
              <th scope="col">IP address</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((entry) => (
              <tr key={entry.id}>
                <td>
                  <time dateTime={entry.at.toISOString()}>{TIMESTAMP.format(entry.at)}</time>
                </td>
                <td>
                  <p className="audit-entry">
                    <strong>{entry.label}.</strong> {entry.sentence}
                  </p>
                  {entry.details.length > 0 ? (
                    <dl className="audit-details">
                      {entry.details.map((detail) => (
                        <div key={detail.label}>
                          <dt>{detail.label}</dt>
                          <dd dir="auto">{detail.text}</dd>
                        </div>
                      ))}
                    </dl>
                  ) : null}
                </td>
                <td>{entry.ip ?? <span className="muted">Unknown</span>}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
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
