import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useLoaderData } from "react-router";
import { DataTable } from "#app/components/data-table.tsx";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { SelectField } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { listVettingQueue, parseQueueFilter, QUEUE_FILTERS } from "#app/.server/vetting/review.ts";

export const meta = errorAwareMeta(() => [{ title: "Vetting queue · Liaison" }]);

const FILTER_LABELS = {
  open: "Open (needs a decision)",
  submitted: "Submitted: waiting for organizers",
  info_requested: "Waiting for the applicant's answer",
  approved: "Approved",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
  all: "All applications",
} as const;

const STATUS_LABELS = {
  submitted: "Submitted",
  info_requested: "Waiting for answer",
  approved: "Approved",
  rejected: "Rejected",
  withdrawn: "Withdrawn",
} as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "approve:vetting");
  const filter = parseQueueFilter(new URL(request.url).searchParams.get("status"));
  const { rows, counts } = await listVettingQueue(viewer, filter);
  const open = (counts.submitted ?? 0) + (counts.info_requested ?? 0);
  const all = Object.values(counts).reduce((sum, count) => sum + (count ?? 0), 0);
  const countOf = (value: (typeof QUEUE_FILTERS)[number]) => (value === "open" ? open : value === "all" ? all : (counts[value] ?? 0));
  return {
    filter,
    rows,
    filters: QUEUE_FILTERS.map((value) => ({ value, label: `${FILTER_LABELS[value]} (${countOf(value)})` })),
  };
}

function age(days: number): string {
  if (days < 1) return "today";
  return days === 1 ? "1 day" : `${days} days`;
}

export default function VettingQueue() {
  const page = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Vetting queue</h1>
      <p>
        Applications waiting on the organizers come first, oldest first; those waiting on the applicant's answer follow. Manage the{" "}
        <Link to="/admin/allowlist">domain allowlist</Link> that decides which official addresses get a confirmation link.
      </p>
      <Form method="get" className="form">
        <SelectField name="status" label="Show" defaultValue={page.filter} options={page.filters} />
        <button type="submit">Filter</button>
      </Form>
      {page.rows.length === 0 ? (
        <p>No applications here.</p>
      ) : (
        <DataTable caption={FILTER_LABELS[page.filter]}>
            <thead>
              <tr>
                <th scope="col">Applicant</th>
                <th scope="col">Agency</th>
                <th scope="col">Official address</th>
                <th scope="col">Vouches</th>
                <th scope="col">Age</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {page.rows.map((row) => (
                <tr key={row.id}>
                  <td>
                    <Link to={`/admin/vetting/${row.id}`} dir="auto">
                      {row.applicantName}
                    </Link>
                    <br />
                    <span className="muted wrap">{row.applicantEmail}</span>
                    {row.renewal ? (
                      <>
                        {" "}
                        <span className="badge">Renewal</span>
                      </>
                    ) : null}
                    {row.applicantSuspended ? (
                      <>
                        {" "}
                        <span className="badge">Account suspended</span>
                      </>
                    ) : null}
                  </td>
                  <td dir="auto">{row.agency}</td>
                  <td>
                    {row.officialEmail}
                    <br />
                    {row.officialEmailVerified ? (
                      <span className="badge">Verified official address</span>
                    ) : row.officialDomainAllowlisted ? (
                      <span className="badge">Allowlisted, not yet confirmed</span>
                    ) : (
                      <span className="badge">Domain not on the allowlist</span>
                    )}
                  </td>
                  <td>{row.vouches}</td>
                  <td>{age(row.ageDays)}</td>
                  <td>{STATUS_LABELS[row.status]}</td>
                </tr>
              ))}
            </tbody>
        </DataTable>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
