import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useLoaderData } from "react-router";
import { DataTable } from "#app/components/data-table.tsx";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { searchUsers } from "#app/.server/admin/users.ts";
import { SHORT_DAY } from "#app/shared/dates.ts";
import { ROLE_LABELS } from "#app/shared/roles.ts";

export const meta = errorAwareMeta(() => [{ title: "Users and roles · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:roles");
  const q = (new URL(request.url).searchParams.get("q") ?? "").slice(0, 200);
  const { rows, more } = await searchUsers(viewer, q);
  return { q, rows, more, viewerId: viewer.id, now: new Date() };
}

export default function Users() {
  const page = useLoaderData<typeof loader>();
  return (
    <section>
      <h1>Users and roles</h1>
      <p className="prose">
        Open an account to grant or revoke its roles, end its sessions, suspend or reinstate it, and see its vetting applications.
        Granted roles: speaker, moderator, organizer and admin; a role counts only once the account&rsquo;s address is verified.
      </p>
      <Form method="get" className="form" role="search">
        <Field name="q" label="Search by email or name" type="search" defaultValue={page.q} />
        <button type="submit">Search</button>
      </Form>
      {page.rows.length === 0 ? (
        <p>No accounts match.</p>
      ) : (
        <DataTable
          caption={
            <>
              {page.q ? `Accounts matching "${page.q}"` : "Newest accounts"}
              {page.more ? " (the first 50; narrow the search to see others)" : ""}
            </>
          }
        >
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">Status</th>
              <th scope="col">Roles</th>
              <th scope="col">Sessions</th>
            </tr>
          </thead>
          <tbody>
            {page.rows.map((user) => (
              <tr key={user.id}>
                <td>
                  <Link to={`/admin/users/${user.id}`} dir="auto">
                    {user.name}
                  </Link>
                  {user.id === page.viewerId ? " (you)" : ""}
                  <br />
                  <span className="muted wrap">{user.email}</span>
                  <br />
                  <span className="muted" dir="auto">
                    {user.agency}
                  </span>
                </td>
                <td>
                  {user.status === "suspended" ? <span className="badge">Suspended</span> : null}{" "}
                  {user.emailVerified ? null : <span className="badge">Address not verified</span>}{" "}
                  {user.memberUntil && user.memberUntil > page.now ? <span className="badge">Member until {SHORT_DAY.format(user.memberUntil)}</span> : null}{" "}
                  {user.mfaEnrolled ? <span className="badge">MFA on</span> : null}
                </td>
                <td>{user.roles.length === 0 ? <span className="muted">None</span> : user.roles.map((role) => ROLE_LABELS[role] ?? role).join(", ")}</td>
                <td>{user.sessions}</td>
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
