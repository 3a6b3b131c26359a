import type { MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SelectField, SubmitButton } from "#app/components/forms.tsx";
import { COUNTRY_OPTIONS } from "#app/.server/accounts/countries.ts";
import { requireViewer } from "#app/.server/accounts/guards.ts";
import { getAccount, updateProfile } from "#app/.server/accounts/profile.ts";
import { ProfileFieldsSchema } from "#app/.server/accounts/schemas.ts";
import { invalidForm, parseForm } from "#app/.server/http/forms.ts";
import { LONG_DAY } from "#app/shared/dates.ts";

export const meta: MetaFunction = () => [{ title: "Your account · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  const account = await getAccount(viewer.id);
  if (!account) throw new Response("Not Found", { status: 404 });
  const params = new URL(request.url).searchParams;
  return {
    account,
    countries: COUNTRY_OPTIONS,
    verified: params.get("verified") === "1",
    emailChanged: params.get("email") === "changed",
    now: new Date(),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireViewer(request, context);
  const form = await parseForm(request, ProfileFieldsSchema);
  if (!form.ok) return invalidForm(form.errors);
  const { changed } = await updateProfile(viewer.id, form.data, context.ip);
  return { ok: true as const, changed: changed.length, errors: undefined };
}

const ROLE_LABELS: Record<string, string> = {
  attendee: "Attendee",
  member: "Vetted member",
  speaker: "Speaker",
  moderator: "Moderator",
  organizer: "Organizer",
  admin: "Administrator",
};

function Day({ date }: { date: Date }) {
  return <time dateTime={date.toISOString()}>{LONG_DAY.format(date)}</time>;
}

export default function Profile() {
  const { account, countries, verified, emailChanged, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors;
  const memberUntil = account.memberUntil;
  return (
    <section className="prose">
      <h1>Your account</h1>
      {verified ? <p className="notice success">Your email address is verified.</p> : null}
      {emailChanged ? <p className="notice success">Your email address was changed.</p> : null}

      <h2>Sign-in and status</h2>
      <dl>
        <dt>Email address</dt>
        <dd>
          {account.email}{" "}
          {account.emailVerifiedAt ? (
            <span className="badge">Verified</span>
          ) : (
            <>
              <span className="badge">Not verified</span> <Link to="/verify-email">Verify your address</Link>
            </>
          )}
        </dd>
        <dt>Roles</dt>
        <dd>
          {account.effectiveRoles.length === 0
            ? "None yet: verify your address to register for the conference."
            : account.effectiveRoles.map((role) => ROLE_LABELS[role] ?? role).join(", ")}
        </dd>
        <dt>Membership</dt>
        <dd>
          {memberUntil && memberUntil > now ? (
            <>
              Vetted member until <Day date={memberUntil} />. <Link to="/vetting">Renew</Link>
            </>
          ) : memberUntil ? (
            <>
              Your membership ended on <Day date={memberUntil} />. <Link to="/vetting">Apply again</Link>
            </>
          ) : (
            <>
              Not a vetted member. <Link to="/vetting">Apply for vetting</Link> to join the members&rsquo; area.
            </>
          )}
        </dd>
        <dt>Two-factor authentication</dt>
        <dd>
          {account.mfaEnrolled ? "On" : "Off"}. <Link to="/account/mfa">{account.mfaEnrolled ? "Manage" : "Set it up"}</Link>
        </dd>
      </dl>

      <h2>Profile</h2>
      <Form method="post" className="form">
        <FormErrors errors={errors} />
        {result?.ok ? <p className="notice success">{result.changed ? "Your profile was saved." : "Nothing to change: your profile is as it was."}</p> : null}
        <Field name="name" label="Name" autoComplete="name" required maxLength={120} defaultValue={account.name} errors={errors} />
        <Field name="agency" label="Agency" autoComplete="organization" required maxLength={160} defaultValue={account.agency} errors={errors} />
        <Field name="jobTitle" label="Job title" autoComplete="organization-title" required maxLength={120} defaultValue={account.jobTitle} errors={errors} />
        <SelectField name="country" label="Country" required defaultValue={account.country} options={countries} errors={errors} />
        <SubmitButton>Save profile</SubmitButton>
      </Form>

      <h2>More</h2>
      <ul>
        <li>
          <Link to="/account/security">Password, email address and sessions</Link>
        </li>
        <li>
          <Link to="/account/mfa">Two-factor authentication</Link>
        </li>
        <li>
          <Link to="/vetting">Vetting and membership</Link>
        </li>
        <li>
          <a href="/account/export">Download your data</a> (a JSON file)
        </li>
        <li>
          <Link to="/account/delete">Delete your account</Link>
        </li>
      </ul>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
