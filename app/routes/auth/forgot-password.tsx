import type { ActionFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { requestPasswordReset } from "#app/.server/accounts/password-reset.ts";
import { EmailSchema } from "#app/.server/accounts/schemas.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { formSuccess, handleForm } from "#app/.server/http/forms.ts";

export const meta = errorAwareMeta(() => [{ title: "Forgot your password · Liaison" }]);

const ForgotSchema = z.object({ email: EmailSchema });

export function loader() {
  return { constraints: formConstraints(ForgotSchema) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleForm(request, ForgotSchema, async ({ email }) => {
    await requestPasswordReset(email, { ip: context.ip, link: (path) => siteUrl(request, path) });
    return formSuccess(`If ${email} has an account, a link to choose a new password is on its way. It works for one hour.`);
  });
}

export default function ForgotPassword() {
  const { constraints } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <section className="prose">
      <h1>Forgot your password?</h1>
      <ValidatedForm reply={reply} constraints={constraints} intro={<p>Enter the address of your account and we will mail you a link to choose a new password.</p>}>
        <Field name="email" label="Email address" type="email" autoComplete="email" />
        <SubmitButton>Send the link</SubmitButton>
      </ValidatedForm>
      <p>
        <Link to="/login">Back to sign in</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
