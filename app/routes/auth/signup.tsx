import { redirect, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SelectField, SubmitButton } from "#app/components/forms.tsx";
import { COUNTRY_OPTIONS } from "#app/.server/accounts/countries.ts";
import { PASSWORD_MAX, PASSWORD_MIN } from "#app/shared/password-rules.ts";
import { SignUpSchema } from "#app/.server/accounts/schemas.ts";
import { signUp } from "#app/.server/accounts/sign-up.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { takeRateLimit } from "#app/.server/accounts/throttle.ts";
import { formError, invalidForm, parseForm } from "#app/.server/http/forms.ts";

export const meta: MetaFunction = () => [{ title: "Create an account · Liaison" }];

export function loader({ context }: LoaderFunctionArgs) {
  if (context.viewer) throw redirect("/account");
  return { countries: COUNTRY_OPTIONS };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await parseForm(request, SignUpSchema);
  if (!form.ok) return invalidForm(form.errors);
  if (context.ip && !(await takeRateLimit(`signup:${context.ip}`, 20, 3600))) {
    return formError("Too many sign-ups from your network. Try again in an hour.", 429);
  }
  await signUp(form.data, { ip: context.ip, link: (path) => siteUrl(request, path) });
  return redirect("/verify-email?sent=1");
}

export default function SignUp() {
  const { countries } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors;
  return (
    <section className="prose">
      <h1>Create an account</h1>
      <p>
        An account lets you register for the conference and follow your agenda. Members of agencies can then apply to be vetted
        for the discussion board. Already have one? <Link to="/login">Sign in</Link>.
      </p>
      <Form method="post" className="form" noValidate>
        <FormErrors errors={errors} />
        <Field name="name" label="Full name" autoComplete="name" required errors={errors} />
        <Field name="email" label="Email address" type="email" autoComplete="email" required errors={errors} />
        <Field name="agency" label="Agency or organization" autoComplete="organization" required errors={errors} />
        <Field name="jobTitle" label="Job title" autoComplete="organization-title" required errors={errors} />
        <SelectField
          name="country"
          label="Country"
          autoComplete="country"
          required
          errors={errors}
          defaultValue=""
          options={[{ value: "", label: "Choose a country" }, ...countries]}
        />
        <Field
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          minLength={PASSWORD_MIN}
          maxLength={PASSWORD_MAX}
          required
          hint={`At least ${PASSWORD_MIN} characters. A passphrase of several words is easy to remember and hard to guess.`}
          errors={errors}
        />
        <SubmitButton>Create account</SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
