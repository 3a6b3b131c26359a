import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { requireMembersArea } from "#app/.server/vetting/members-area.ts";
import { Form, Link, useLoaderData } from "react-router";
import { DataTable } from "#app/components/data-table.tsx";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field } from "#app/components/forms.tsx";
import { can } from "#app/.server/accounts/guards.ts";
import { countryName } from "#app/.server/accounts/countries.ts";
import { listMemberDirectory } from "#app/.server/vetting/members.ts";
import { searchTerm } from "#app/.server/http/search.ts";

export const meta = errorAwareMeta(() => [{ title: "Member directory · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireMembersArea(request, context, "view:members");
  const q = searchTerm(new URL(request.url).searchParams.get("q"));
  const { rows, more } = await listMemberDirectory(viewer, q);
  return {
    q,
    more,
    canVouch: can(viewer, "vouch:applicant"),
    members: rows.map((row) => ({ ...row, country: countryName(row.country) })),
  };
}

export default function MemberDirectory() {
  const page = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Member directory</h1>
      <p className="muted">Vetted members whose membership is current. What you read here stays within the membership.</p>
      {page.canVouch ? (
        <p>
          Know someone who has applied? <Link to="/members/vouch">Vouch for applicants</Link>.
        </p>
      ) : null}
      <Form method="get" className="form" role="search">
        <Field name="q" type="search" label="Search by name or agency" defaultValue={page.q} maxLength={100} />
        <button type="submit">Search</button>
      </Form>
      {page.members.length === 0 ? (
        <p>{page.q ? `No member matches “${page.q}”.` : "There are no members yet."}</p>
      ) : (
        <DataTable caption={`${page.q ? `Members matching “${page.q}”` : "All members"}, by name${page.more ? ": the first 200; search to narrow the list" : ""}`}>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Agency</th>
                <th scope="col">Job title</th>
                <th scope="col">Country</th>
              </tr>
            </thead>
            <tbody>
              {page.members.map((member) => (
                <tr key={member.id}>
                  <td dir="auto">{member.name}</td>
                  <td dir="auto">{member.agency}</td>
                  <td dir="auto">{member.jobTitle}</td>
                  <td>{member.country}</td>
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
