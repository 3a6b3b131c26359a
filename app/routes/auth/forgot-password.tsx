import type { MetaFunction } from "react-router";
import type { ActionFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData } from "react-router";
import { z } from "zod";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SubmitButton } from "#app/components/forms.tsx";
import { requestPasswordReset } from "#app/.server/accounts/password-reset.ts";
import { EmailSchema } from "#app/.server/accounts/schemas.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { invalidForm, parseForm } from "#app/.server/http/forms.ts";

export const meta: MetaFunction = () => [{ title: "Forgot your password · Liaison" }];

const ForgotSchema = z.object({ email: EmailSchema });

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await parseForm(request, ForgotSchema);
  if (!form.ok) return invalidForm(form.errors);
  await requestPasswordReset(form.data.email, { ip: context.ip, link: (path) => siteUrl(request, path) });
  return { ok: true as const, errors: undefined, email: form.data.email };
}

export default function ForgotPassword() {
  const result = useActionData<typeof action>();
  return (
    <section className="prose">
      <h1>Forgot your password?</h1>
      {result?.ok ? (
        <p className="notice success" role="status">
          If {result.email} has an account, a link to choose a new password is on its way. It works for one hour.
        </p>
      ) : (
        <>
          <p>Enter the address of your account and we will mail you a link to choose a new password.</p>
          <Form method="post" className="form">
            <FormErrors errors={result?.errors} />
            <Field name="email" label="Email address" type="email" autoComplete="email" required errors={result?.errors} />
            <SubmitButton>Send the link</SubmitButton>
          </Form>
        </>
      )}
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
