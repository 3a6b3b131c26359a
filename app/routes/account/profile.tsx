import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, SelectField, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { COUNTRY_OPTIONS } from "#app/.server/accounts/countries.ts";
import { requireViewer } from "#app/.server/accounts/guards.ts";
import { getAccount, updateProfile } from "#app/.server/accounts/profile.ts";
import { ProfileFieldsSchema } from "#app/.server/accounts/schemas.ts";
import { NotFoundError } from "#app/.server/errors.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { formSuccess, handleForm } from "#app/.server/http/forms.ts";
import { LONG_DAY } from "#app/shared/dates.ts";
import { ROLE_LABELS } from "#app/shared/roles.ts";

export const meta = errorAwareMeta(() => [{ title: "Your account · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  const account = await getAccount(viewer.id);
  if (!account) throw new NotFoundError();
  return { account, countries: COUNTRY_OPTIONS, constraints: formConstraints(ProfileFieldsSchema), now: new Date() };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireViewer(request, context);
  return handleForm(request, ProfileFieldsSchema, async (input) => {
    const { changed } = await updateProfile(viewer.id, input, context.ip);
    return formSuccess(changed.length ? "Your profile was saved." : "Nothing to change: your profile is as it was.");
  });
}


function Day({ date }: { date: Date }) {
  return <time dateTime={date.toISOString()}>{LONG_DAY.format(date)}</time>;
}

export default function Profile() {
  const { account, countries, constraints, now } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const memberUntil = account.memberUntil;
  const verified = account.emailVerifiedAt !== null;
  return (
    <section className="prose">
      <h1>Your account</h1>

      <h2>Sign-in and status</h2>
      <dl>
        <dt>Email address</dt>
        <dd className="wrap">
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
          {!verified ? (
            <>Not a vetted member. Once your address is verified you can apply for vetting.</>
          ) : memberUntil && memberUntil > now ? (
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
          {account.mfaEnrolled ? "On" : "Off"}.{" "}
          {verified ? <Link to="/account/mfa">{account.mfaEnrolled ? "Manage" : "Set it up"}</Link> : "You can set it up once your address is verified."}
        </dd>
      </dl>

      <h2>Profile</h2>
      <ValidatedForm
        reply={reply}
        constraints={constraints}
        defaults={{ name: account.name, agency: account.agency, jobTitle: account.jobTitle, country: account.country }}
      >
        <Field name="name" label="Name" autoComplete="name" dir="auto" />
        <Field name="agency" label="Agency" autoComplete="organization" dir="auto" />
        <Field name="jobTitle" label="Job title" autoComplete="organization-title" dir="auto" />
        <SelectField name="country" label="Country" options={countries} />
        <SubmitButton>Save profile</SubmitButton>
      </ValidatedForm>

      <h2>More</h2>
      <ul>
        <li>
          <Link to="/account/security">Password, email address and sessions</Link>
        </li>
        {verified ? (
          <>
            <li>
              <Link to="/account/mfa">Two-factor authentication</Link>
            </li>
            <li>
              <Link to="/vetting">Vetting and membership</Link>
            </li>
          </>
        ) : (
          <li>
            <Link to="/verify-email">Verify your address</Link> to set up two-factor authentication and apply for vetting
          </li>
        )}
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
