import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { DataTable } from "#app/components/data-table.tsx";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ConfirmAction, Field, Notice, SelectField, SubmitButton, TextareaField, ValidatedForm } from "#app/components/forms.tsx";
import { can, requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { NotFoundError } from "#app/.server/errors.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { formSuccess, handleForm, refuse } from "#app/.server/http/forms.ts";
import { listAccountsForOrganizers, MEMBER_FILTERS, parseMemberFilter, reinstateMember, suspendMember } from "#app/.server/vetting/members.ts";
import { MembersPageSchema } from "#app/.server/vetting/schemas.ts";
import { ROLE_LABELS } from "#app/shared/roles.ts";
import { searchTerm } from "#app/.server/http/search.ts";
import { SHORT_DAY } from "#app/shared/dates.ts";

export const meta = errorAwareMeta(() => [{ title: "Members and suspensions · Liaison" }]);

const FILTER_LABELS = {
  all: "Everyone",
  members: "Current members",
  expiring: "Members whose membership ends soon",
  expired: "Expired memberships",
  suspended: "Suspended accounts",
} as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "suspend:member");
  const url = new URL(request.url);
  const term = searchTerm(url.searchParams.get("q"));
  const filter = parseMemberFilter(url.searchParams.get("show"));
  const { rows, more } = await listAccountsForOrganizers(viewer, { term, filter });
  return {
    q: term,
    filter,
    more,
    constraints: formConstraints(MembersPageSchema, "suspend"),
    adminLinks: can(viewer, "manage:roles"),
    filters: MEMBER_FILTERS.map((value) => ({ value, label: FILTER_LABELS[value] })),
    accounts: rows.map((row) => ({
      id: row.id,
      name: row.name,
      email: row.email,
      agency: row.agency,
      roles: row.roles,
      standing: row.standing,
      memberUntil: row.memberUntil,
      reminded: row.membershipReminderSentAt !== null,
      suspendedReason: row.suspendedReason,
      protected: row.protected,
    })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "suspend:member");
  const origin = { ip: context.ip, link: (path: string) => siteUrl(request, path) };
  // Every row has its own copy of each form: the reply names the row, and its messages go there.
  return handleForm(request, MembersPageSchema, async (input) => {
    if (input.intent === "suspend") {
      const outcome = await suspendMember(viewer, input, origin);
      switch (outcome) {
        case "self":
          return refuse("You cannot suspend yourself.", 403);
        case "admin":
          return refuse("Administrators cannot be suspended here. An administrator has to remove the admin role first.", 403);
        case "staff":
          return refuse("Only an administrator can suspend an organizer or a moderator.", 403);
        case "not_found":
          throw new NotFoundError("There is no such account.");
        case "already_suspended":
          return formSuccess("This account was already suspended.");
        case "suspended":
          return formSuccess("Suspended: the account is signed out everywhere and has been told by mail. To undo, reinstate it.");
      }
    }
    const outcome = await reinstateMember(viewer, input.userId, origin);
    if (outcome === "not_found") throw new NotFoundError("There is no such account.");
    return formSuccess(outcome === "reinstated" ? "Reinstated: the account can sign in again and has been told by mail." : "This account was not suspended.");
  });
}

const STANDING_LABELS = {
  suspended: "Suspended",
  member: "Member",
  expired: "Membership expired",
  attendee: "Attendee",
  unverified: "Email not verified",
} as const;

export default function Members() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <section>
      <h1>Members and suspensions</h1>
      <p className="muted">
        A suspension signs the account out everywhere at once and keeps it out until it is reinstated; the membership dates stay as
        they are.
      </p>
      {reply?.status === "success" && reply.notice ? <Notice>{reply.notice}</Notice> : null}

      <Form method="get" className="form" role="search">
        <Field name="q" type="search" label="Search by name, email or agency" defaultValue={page.q} maxLength={100} />
        <SelectField name="show" label="Show" defaultValue={page.filter} options={page.filters} />
        <button type="submit">Search</button>
      </Form>

      {page.accounts.length === 0 ? (
        <p>No account matches.</p>
      ) : (
        <DataTable
          caption={
            <>
              {FILTER_LABELS[page.filter]}
              {page.q ? ` matching “${page.q}”` : ""}, by name{page.more ? ": the first 200; search to narrow the list" : ""}
            </>
          }
        >
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Agency</th>
                <th scope="col">Standing</th>
                <th scope="col">Member until</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {page.accounts.map((account) => (
                <tr key={account.id}>
                  <td>
                    {page.adminLinks ? (
                      <Link to={`/admin/users/${account.id}`} dir="auto">
                        {account.name}
                      </Link>
                    ) : (
                      <span dir="auto">{account.name}</span>
                    )}
                    <br />
                    <span className="muted wrap">{account.email}</span>
                    {account.roles.length ? (
                      <>
                        <br />
                        {account.roles.map((role) => (
                          <span key={role} className="badge">
                            {ROLE_LABELS[role] ?? role}
                          </span>
                        ))}
                      </>
                    ) : null}
                  </td>
                  <td dir="auto">{account.agency}</td>
                  <td>
                    {STANDING_LABELS[account.standing]}
                    {account.suspendedReason ? (
                      <>
                        <br />
                        <span className="muted">
                          Reason: <span dir="auto">{account.suspendedReason}</span>
                        </span>
                      </>
                    ) : null}
                  </td>
                  <td>
                    {account.memberUntil ? (
                      <time dateTime={account.memberUntil.toISOString()}>{SHORT_DAY.format(account.memberUntil)}</time>
                    ) : (
                      "—"
                    )}
                    {account.standing === "member" && account.reminded ? (
                      <>
                        <br />
                        <span className="muted">Reminder sent</span>
                      </>
                    ) : null}
                  </td>
                  <td>
                    {account.standing === "suspended" ? (
                      <ValidatedForm announce={false} reply={reply} intent="reinstate" row={account.id}>
                        <input type="hidden" name="userId" value={account.id} />
                        <ConfirmAction label="Reinstate" confirmLabel={`Yes, reinstate ${account.name}`}>
                          <p>The account can sign in again at once, and its holder is told by mail.</p>
                        </ConfirmAction>
                      </ValidatedForm>
                    ) : account.protected ? (
                      <span className="muted">—</span>
                    ) : (
                      <details open={reply?.status === "error" && reply.form === account.id}>
                        <summary>Suspend…</summary>
                        <ValidatedForm announce={false} reply={reply} intent="suspend" row={account.id} constraints={page.constraints}>
                          <input type="hidden" name="userId" value={account.id} />
                          <TextareaField
                            name="reason"
                            label={`Reason for suspending ${account.name}`}
                            hint="The account holder reads it in the mail, and it is kept in the audit log."
                            rows={3}
                          />
                          <SubmitButton className="danger">Suspend and sign out</SubmitButton>
                        </ValidatedForm>
                      </details>
                    )}
                  </td>
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
