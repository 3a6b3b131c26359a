import { data, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SelectField, SubmitButton, TextareaField } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { formError, parseForm } from "#app/.server/http/forms.ts";
import { listAccountsForOrganizers, MEMBER_FILTERS, parseMemberFilter, reinstateMember, suspendMember } from "#app/.server/vetting/members.ts";
import { LIMITS, MembersPageSchema } from "#app/.server/vetting/schemas.ts";
import { searchTerm } from "#app/.server/http/search.ts";
import { SHORT_DAY } from "#app/shared/dates.ts";

export const meta: MetaFunction = () => [{ title: "Members and suspensions · Liaison" }];

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
    limit: LIMITS.suspension,
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
  // Every row has its own form: the failed one is the one whose messages are shown.
  const userId = String((await request.clone().formData()).get("userId") ?? "");
  const form = await parseForm(request, MembersPageSchema);
  if (!form.ok) return data({ ok: false as const, errors: form.errors, userId, message: undefined }, { status: 400 });
  const origin = { ip: context.ip, link: (path: string) => siteUrl(request, path) };
  if (form.data.intent === "suspend") {
    const outcome = await suspendMember(viewer, form.data, origin);
    switch (outcome) {
      case "self":
        return formError("You cannot suspend yourself.", 403);
      case "admin":
        return formError("Administrators cannot be suspended here. An administrator has to remove the admin role first.", 403);
      case "staff":
        return formError("Only an administrator can suspend an organizer or a moderator.", 403);
      case "not_found":
        throw new Response("Not Found", { status: 404 });
      case "already_suspended":
        return { ok: true as const, errors: undefined, userId, message: "This account was already suspended." };
      case "suspended":
        return { ok: true as const, errors: undefined, userId, message: "Suspended: the account is signed out everywhere and has been told by mail." };
    }
  }
  const outcome = await reinstateMember(viewer, form.data.userId, origin);
  if (outcome === "not_found") throw new Response("Not Found", { status: 404 });
  const message = outcome === "reinstated" ? "Reinstated: the account can sign in again and has been told by mail." : "This account was not suspended.";
  return { ok: true as const, errors: undefined, userId, message };
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
  const result = useActionData<typeof action>();
  const failedRow = result && !result.ok && "userId" in result ? result.userId : null;
  return (
    <section>
      <h1>Members and suspensions</h1>
      <p className="muted">
        A suspension signs the account out everywhere at once and keeps it out until it is reinstated; the membership dates stay as
        they are.
      </p>
      {result?.ok ? (
        <p className="notice success" role="status">
          {result.message}
        </p>
      ) : null}
      <FormErrors errors={result?.errors} />

      <Form method="get" className="form" role="search">
        <Field name="q" type="search" label="Search by name, email or agency" defaultValue={page.q} maxLength={100} />
        <SelectField name="show" label="Show" defaultValue={page.filter} options={page.filters} />
        <button type="submit">Search</button>
      </Form>

      {page.accounts.length === 0 ? (
        <p>No account matches.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="muted">
              {FILTER_LABELS[page.filter]}
              {page.q ? ` matching “${page.q}”` : ""}, by name{page.more ? ": the first 200; search to narrow the list" : ""}
            </caption>
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
                    {account.name}
                    <br />
                    <span className="muted">{account.email}</span>
                    {account.roles.length ? (
                      <>
                        <br />
                        {account.roles.map((role) => (
                          <span key={role} className="badge">
                            {role}
                          </span>
                        ))}
                      </>
                    ) : null}
                  </td>
                  <td>{account.agency}</td>
                  <td>
                    {STANDING_LABELS[account.standing]}
                    {account.suspendedReason ? (
                      <>
                        <br />
                        <span className="muted">Reason: {account.suspendedReason}</span>
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
                      <Form method="post" className="inline-form">
                        <input type="hidden" name="userId" value={account.id} />
                        <SubmitButton name="intent" value="reinstate" className="secondary">
                          Reinstate
                        </SubmitButton>
                      </Form>
                    ) : account.protected ? (
                      <span className="muted">—</span>
                    ) : (
                      <details open={failedRow === account.id}>
                        <summary>Suspend…</summary>
                        <Form method="post" className="form" noValidate>
                          <input type="hidden" name="userId" value={account.id} />
                          <TextareaField
                            name="reason"
                            label={`Reason for suspending ${account.name}`}
                            hint="The account holder reads it in the mail, and it is kept in the audit log."
                            rows={3}
                            maxLength={page.limit}
                            required
                            errors={failedRow === account.id ? result?.errors : undefined}
                          />
                          <SubmitButton name="intent" value="suspend" className="danger">
                            Suspend and sign out
                          </SubmitButton>
                        </Form>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
