import type { MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SelectField } from "#app/components/forms.tsx";
import { can, requirePermission } from "#app/.server/accounts/guards.ts";
import { endAllSessionsOf, GRANTABLE_ROLES, grantRole, revokeRole, searchUsers } from "#app/.server/admin/users.ts";
import { formError, parseForm } from "#app/.server/http/forms.ts";
import { SHORT_DAY } from "#app/shared/dates.ts";

export const meta: MetaFunction = () => [{ title: "Users and roles · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:roles");
  const q = (new URL(request.url).searchParams.get("q") ?? "").slice(0, 200);
  const { rows, more } = await searchUsers(viewer, q);
  return { q, rows, more, viewerId: viewer.id, canEndSessions: can(viewer, "end:sessions"), grantable: [...GRANTABLE_ROLES], now: new Date() };
}

const UserActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("grant"), userId: z.uuid("Choose an account."), role: z.enum(GRANTABLE_ROLES, "Choose a role.") }),
  z.object({ intent: z.literal("revoke"), userId: z.uuid("Choose an account."), role: z.enum(GRANTABLE_ROLES, "Choose a role.") }),
  z.object({ intent: z.literal("end-sessions"), userId: z.uuid("Choose an account.") }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:roles");
  const form = await parseForm(request, UserActionSchema);
  // The forms hold only buttons, hidden ids and a select: a field error here means a tampered or stale form.
  if (!form.ok) return formError("Choose an account and a role from the list, then try again.");
  const input = form.data;
  if (input.intent === "end-sessions") {
    const result = await endAllSessionsOf(requirePermission(request, context, "end:sessions"), { userId: input.userId, ip: context.ip });
    if (!result.ok) return formError(result.message, result.status);
    return { ok: true as const, message: result.ended === 0 ? "That account had no sessions." : `Ended ${result.ended} ${result.ended === 1 ? "session" : "sessions"}.`, errors: undefined };
  }
  const change = input.intent === "grant" ? grantRole : revokeRole;
  const result = await change(viewer, { userId: input.userId, role: input.role, ip: context.ip });
  if (!result.ok) return formError(result.message, result.status);
  const verb = input.intent === "grant" ? "granted" : "revoked";
  return {
    ok: true as const,
    message: result.changed ? `The ${input.role} role was ${verb}.` : `Nothing to change: the role was already ${verb}.`,
    errors: undefined,
  };
}

export default function Users() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section>
      <h1>Users and roles</h1>
      <p>
        Granted roles: speaker (uploads slides), moderator (moderates the forum), organizer (vetting, allowlist, members, outbox),
        admin (everything). A role counts only once the account&rsquo;s address is verified. You cannot revoke your own admin role.
      </p>
      <Form method="get" className="form" role="search">
        <Field name="q" label="Search by email or name" type="search" defaultValue={page.q} />
        <button type="submit">Search</button>
      </Form>
      <FormErrors errors={result?.errors} />
      {result?.ok ? (
        <p className="notice success" role="status">
          {result.message}
        </p>
      ) : null}
      {page.rows.length === 0 ? (
        <p>No accounts match.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="muted">
              {page.q ? `Accounts matching "${page.q}"` : "Newest accounts"}
              {page.more ? " (the first 50; narrow the search to see others)" : ""}
            </caption>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Status</th>
                <th scope="col">Roles</th>
                <th scope="col">Grant</th>
                {page.canEndSessions ? <th scope="col">Sessions</th> : null}
              </tr>
            </thead>
            <tbody>
              {page.rows.map((user) => {
                const self = user.id === page.viewerId;
                const missing = page.grantable.filter((role) => !user.roles.includes(role));
                return (
                  <tr key={user.id}>
                    <td>
                      {user.name}
                      {self ? " (you)" : ""}
                      <br />
                      <span className="muted">{user.email}</span>
                      <br />
                      <span className="muted">{user.agency}</span>
                    </td>
                    <td>
                      {user.status === "suspended" ? <span className="badge">Suspended</span> : null}{" "}
                      {user.emailVerified ? null : <span className="badge">Address not verified</span>}{" "}
                      {user.memberUntil && user.memberUntil > page.now ? (
                        <span className="badge">Member until {SHORT_DAY.format(user.memberUntil)}</span>
                      ) : null}{" "}
                      {user.mfaEnrolled ? <span className="badge">MFA on</span> : null}
                    </td>
                    <td>
                      {user.roles.length === 0 ? <span className="muted">None</span> : null}
                      <ul>
                        {user.roles.map((role) => (
                          <li key={role}>
                            {role}{" "}
                            {self && role === "admin" ? null : (
                              <Form method="post" className="inline-form">
                                <input type="hidden" name="userId" value={user.id} />
                                <input type="hidden" name="role" value={role} />
                                <button type="submit" name="intent" value="revoke" className="link-button" aria-label={`Revoke ${role} from ${user.email}`}>
                                  Revoke
                                </button>
                              </Form>
                            )}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>
                      {missing.length > 0 ? (
                        <Form method="post">
                          <input type="hidden" name="userId" value={user.id} />
                          <SelectField
                            name="role"
                            label={`Role to grant ${user.email}`}
                            options={missing.map((role) => ({ value: role, label: role }))}
                          />
                          <button type="submit" name="intent" value="grant" className="secondary">
                            Grant
                          </button>
                        </Form>
                      ) : (
                        <span className="muted">Holds every role</span>
                      )}
                    </td>
                    {page.canEndSessions ? (
                      <td>
                        {user.sessions}{" "}
                        {user.sessions > 0 ? (
                          <Form method="post" className="inline-form">
                            <input type="hidden" name="userId" value={user.id} />
                            <button type="submit" name="intent" value="end-sessions" className="link-button" aria-label={`End all sessions of ${user.email}`}>
                              End all
                            </button>
                          </Form>
                        ) : null}
                      </td>
                    ) : null}
                  </tr>
                );
              })}
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
