import { redirect } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, SelectField, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { COUNTRY_OPTIONS } from "#app/.server/accounts/countries.ts";
import { SignUpSchema } from "#app/.server/accounts/schemas.ts";
import { signUp } from "#app/.server/accounts/sign-up.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { takeRateLimit } from "#app/.server/accounts/throttle.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { handleForm, refuse } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";

export const meta = errorAwareMeta(() => [{ title: "Create an account · Liaison" }]);

export function loader({ context }: LoaderFunctionArgs) {
  if (context.viewer) throw redirect("/account");
  return { countries: COUNTRY_OPTIONS, constraints: formConstraints(SignUpSchema) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleForm(request, SignUpSchema, async (input) => {
    if (context.ip && !(await takeRateLimit(`signup:${context.ip}`, 20, 3600))) {
      refuse("Too many sign-ups from your network. Try again in an hour.", 429);
    }
    await signUp(input, { ip: context.ip, link: (path) => siteUrl(request, path) });
    throw redirectWithNotice("/verify-email", "verification-sent");
  });
}

export default function SignUp() {
  const { countries, constraints } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const min = constraints.password?.minLength;
  return (
    <section className="prose">
      <h1>Create an account</h1>
      <p>
        An account lets you register for the conference and follow your agenda. Members of agencies can then apply to be vetted
        for the discussion board. Already have one? <Link to="/login">Sign in</Link>.
      </p>
      <ValidatedForm reply={reply} constraints={constraints} defaults={{ country: "" }}>
        <Field name="name" label="Full name" autoComplete="name" dir="auto" />
        <Field name="email" label="Email address" type="email" autoComplete="email" />
        <Field name="agency" label="Agency or organization" autoComplete="organization" dir="auto" />
        <Field name="jobTitle" label="Job title" autoComplete="organization-title" dir="auto" />
        <SelectField name="country" label="Country" autoComplete="country" options={[{ value: "", label: "Choose a country" }, ...countries]} />
        <Field
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={`At least ${min} characters. A passphrase of several words is easy to remember and hard to guess.`}
        />
        <SubmitButton>Create account</SubmitButton>
      </ValidatedForm>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
