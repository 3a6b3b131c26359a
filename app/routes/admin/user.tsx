import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData, type MetaFunction } from "react-router";
import { z } from "zod";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ConfirmAction, Notice, SelectField, SubmitButton, TextareaField, ValidatedForm } from "#app/components/forms.tsx";
import { SessionsTable } from "#app/components/sessions-table.tsx";
import { can, requirePermission } from "#app/.server/accounts/guards.ts";
import { countryName } from "#app/.server/accounts/countries.ts";
import { describeUserAgent } from "#app/.server/accounts/profile.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { endAllSessionsOf, getUserForAdmin, GRANTABLE_ROLES, grantRole, revokeRole } from "#app/.server/admin/users.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "#app/.server/errors.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { formSuccess, handleForm, refuse } from "#app/.server/http/forms.ts";
import { reinstateMember, suspendMember } from "#app/.server/vetting/members.ts";
import { ReinstateSchema, SuspendSchema } from "#app/.server/vetting/schemas.ts";
import { DATE_TIME, SHORT_DAY } from "#app/shared/dates.ts";
import { ROLE_LABELS, ROLE_POWERS } from "#app/shared/roles.ts";

export const meta = errorAwareMeta<typeof loader>(({ data }) => [{ title: data ? `${data.user.name} · Users · Liaison` : "User · Liaison" }] satisfies ReturnType<MetaFunction>);

const Role = z.enum(GRANTABLE_ROLES, "Choose a role.");

const UserPageSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("grant"), role: Role }),
  z.object({ intent: z.literal("revoke"), role: Role }),
  z.object({ intent: z.literal("end-sessions") }),
  SuspendSchema.omit({ userId: true }),
  ReinstateSchema.omit({ userId: true }),
]);

function userIdOf(params: LoaderFunctionArgs["params"]): string {
  const parsed = z.uuid().safeParse(params.userId);
  if (!parsed.success) throw new NotFoundError("There is no such account.");
  return parsed.data;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:roles");
  const { user, sessions, applications } = await getUserForAdmin(viewer, userIdOf(params));
  return {
    user: { ...user, country: countryName(user.country) },
    sessions: sessions.map((session) => ({ ...session, browser: describeUserAgent(session.userAgent) })),
    applications,
    self: user.id === viewer.id,
    canEndSessions: can(viewer, "end:sessions"),
    grantable: GRANTABLE_ROLES.filter((role) => !user.roles.includes(role)),
    constraints: { suspend: formConstraints(UserPageSchema, "suspend") },
    now: new Date(),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:roles");
  const userId = userIdOf(params);
  const origin = { ip: context.ip, link: (path: string) => siteUrl(request, path) };
  return handleForm(request, UserPageSchema, async (input) => {
    switch (input.intent) {
      case "grant":
      case "revoke": {
        const change = input.intent === "grant" ? grantRole : revokeRole;
        const result = await change(viewer, { userId, role: input.role, ip: context.ip });
        if (!result.ok) {
          if (result.status === 404) throw new NotFoundError(result.message);
          refuse(result.message);
        }
        const label = ROLE_LABELS[input.role];
        if (!result.changed) return formSuccess(`Nothing changed: the ${label} role was already ${input.intent === "grant" ? "held" : "gone"}.`);
        return formSuccess(
          input.intent === "grant"
            ? `The ${label} role is granted; the account holder was told by mail. To undo, revoke it below.`
            : `The ${label} role is revoked; the account holder was told by mail. To undo, grant it again.`,
        );
      }
      case "end-sessions": {
        const result = await endAllSessionsOf(requirePermission(request, context, "end:sessions"), { userId, ip: context.ip });
        if (!result.ok) throw new NotFoundError(result.message);
        return formSuccess(result.ended === 0 ? "The account had no sessions." : `Ended ${result.ended} ${result.ended === 1 ? "session" : "sessions"}: the account must sign in again.`);
      }
      case "suspend": {
        const outcome = await suspendMember(viewer, { userId, reason: input.reason }, origin);
        if (outcome === "not_found") throw new NotFoundError("There is no such account.");
        if (outcome === "self") throw new ForbiddenError("You cannot suspend yourself.");
        if (outcome === "admin") throw new ConflictError("An administrator cannot be suspended: revoke the Administrator role first.");
        if (outcome === "staff") throw new ForbiddenError("Only an administrator can suspend an organizer or a moderator.");
        return formSuccess(
          outcome === "already_suspended" ? "The account was already suspended." : "Suspended: the account is signed out everywhere and was told by mail. To undo, reinstate it.",
        );
      }
      case "reinstate": {
        const outcome = await reinstateMember(viewer, userId, origin);
        if (outcome === "not_found") throw new NotFoundError("There is no such account.");
        return formSuccess(outcome === "reinstated" ? "Reinstated: the account can sign in again and was told by mail." : "The account was not suspended.");
      }
    }
  });
}

const APPLICATION_STATUS = {
  submitted: "Under review",
  info_requested: "Waiting for the applicant's answer",
  approved: "Approved",
  rejected: "Not approved",
  withdrawn: "Withdrawn",
} as const;

function Time({ date }: { date: Date }) {
  return <time dateTime={date.toISOString()}>{DATE_TIME.format(date)} UTC</time>;
}

export default function AdminUser() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const { user } = page;
  const member = user.memberUntil !== null && user.memberUntil > page.now;
  return (
    <section>
      <p>
        <Link to="/admin/users">All users</Link>
      </p>
      <h1 dir="auto">
        {user.name}
        {page.self ? " (you)" : ""}
      </h1>
      {/* After an action its form may be gone (a revoked role, an ended session): the notice stands at the top. */}
      {reply?.status === "success" && reply.notice ? <Notice>{reply.notice}</Notice> : null}
      <dl className="prose">
        <dt>Email address</dt>
        <dd className="wrap">
          {user.email} {user.emailVerifiedAt ? <span className="badge">Verified</span> : <span className="badge">Not verified</span>}
        </dd>
        <dt>Agency, job title, country</dt>
        <dd dir="auto">
          {user.agency}, {user.jobTitle}, {user.country}
        </dd>
        <dt>Account created</dt>
        <dd>
          <Time date={user.createdAt} />
        </dd>
        <dt>Membership</dt>
        <dd>
          {member && user.memberUntil ? `Vetted member until ${SHORT_DAY.format(user.memberUntil)}` : user.memberUntil ? `Ended on ${SHORT_DAY.format(user.memberUntil)}` : "Not a member"}
        </dd>
        <dt>Two-factor authentication</dt>
        <dd>{user.mfaEnrolled ? "On" : "Off"}</dd>
      </dl>

      <h2>Roles</h2>
      {user.roles.length === 0 ? <p>No granted roles.</p> : null}
      <ul>
        {user.roles.map((role) => (
          <li key={role}>
            <strong>{ROLE_LABELS[role]}</strong>: {ROLE_POWERS[role]}.{" "}
            {page.self && role === "admin" ? (
              <span className="muted">You cannot revoke your own Administrator role.</span>
            ) : (
              <ValidatedForm announce={false} reply={reply} intent="revoke" id={`revoke-${role}`} className="inline-form">
                <input type="hidden" name="role" value={role} />
                <ConfirmAction label={`Revoke ${ROLE_LABELS[role]}`} confirmLabel={`Yes, revoke ${ROLE_LABELS[role]}`} className="danger">
                  <p dir="auto">
                    {user.name} loses the {ROLE_LABELS[role]} role at once and is told by mail.
                  </p>
                </ConfirmAction>
              </ValidatedForm>
            )}
          </li>
        ))}
      </ul>
      {page.grantable.length > 0 ? (
        <ValidatedForm announce={false} reply={reply} intent="grant">
          <SelectField name="role" label="Role to grant" options={page.grantable.map((role) => ({ value: role, label: `${ROLE_LABELS[role]}: ${ROLE_POWERS[role]}` }))} />
          <ConfirmAction label="Grant the role" confirmLabel="Yes, grant it">
            <p>
              The role counts once the account&rsquo;s address is verified, and for staff roles once it signs in with a second factor. The
              account holder is told by mail.
            </p>
          </ConfirmAction>
        </ValidatedForm>
      ) : (
        <p className="muted">Holds every role that can be granted.</p>
      )}

      <h2>Suspension</h2>
      {user.status === "suspended" ? (
        <>
          <p>
            <span className="badge">Suspended</span> Reason: <span dir="auto">{user.suspendedReason}</span>
          </p>
          <ValidatedForm announce={false} reply={reply} intent="reinstate">
            <ConfirmAction label="Reinstate" confirmLabel="Yes, reinstate the account">
              <p>The account can sign in again at once, and its holder is told by mail.</p>
            </ConfirmAction>
          </ValidatedForm>
        </>
      ) : page.self ? (
        <p>Active. You cannot suspend yourself.</p>
      ) : (
        <ValidatedForm announce={false} reply={reply} intent="suspend" constraints={page.constraints.suspend}>
          <p>Active. A suspension signs the account out everywhere at once and keeps it out until it is reinstated.</p>
          <TextareaField name="reason" label="Reason for the suspension" hint="The account holder reads it in the mail that tells them." rows={3} />
          <SubmitButton className="danger">Suspend the account</SubmitButton>
        </ValidatedForm>
      )}

      <h2>Sessions ({page.sessions.length})</h2>
      {page.sessions.length === 0 ? (
        <p>Not signed in anywhere.</p>
      ) : (
        <SessionsTable sessions={page.sessions} caption="Where the account is signed in, most recently used first" secondFactor />
      )}
      {page.canEndSessions && page.sessions.length > 0 ? (
        <ValidatedForm announce={false} reply={reply} intent="end-sessions">
          <ConfirmAction label="End all sessions" confirmLabel={`Yes, end ${page.sessions.length} ${page.sessions.length === 1 ? "session" : "sessions"}`} className="danger">
            <p>The account is signed out on every device and must sign in again. Use it after a lost device or a suspected takeover.</p>
          </ConfirmAction>
        </ValidatedForm>
      ) : null}

      <h2>Vetting applications ({page.applications.length})</h2>
      {page.applications.length === 0 ? (
        <p>No applications.</p>
      ) : (
        <ul>
          {page.applications.map((application) => (
            <li key={application.id}>
              <Link to={`/admin/vetting/${application.id}`}>
                {APPLICATION_STATUS[application.status]}: sent on {SHORT_DAY.format(application.createdAt)}
              </Link>{" "}
              for <span dir="auto">{application.agency}</span>
              {application.decidedAt ? `, decided on ${SHORT_DAY.format(application.decidedAt)}` : ""}
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link to={`/admin/audit?${new URLSearchParams({ subject: user.id })}`}>What the audit log records about this account</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
