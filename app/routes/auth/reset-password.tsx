import { redirect, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SubmitButton } from "#app/components/forms.tsx";
import { clearSessionCookie } from "#app/.server/accounts/cookies.ts";
import { peekEmailToken } from "#app/.server/accounts/email-tokens.ts";
import { NewPasswordSchema } from "#app/.server/accounts/passwords.ts";
import { PASSWORD_MIN } from "#app/shared/password-rules.ts";
import { resetPassword } from "#app/.server/accounts/password-reset.ts";
import { TokenSchema } from "#app/.server/accounts/schemas.ts";
import { formError, invalidForm, parseForm } from "#app/.server/http/forms.ts";

export const meta: MetaFunction = () => [{ title: "Choose a new password · Liaison" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const usable = TokenSchema.safeParse(token).success && (await peekEmailToken(token, "reset-password")) !== null;
  return { token, usable };
}

const ResetSchema = z
  .object({ token: TokenSchema, password: NewPasswordSchema, confirm: z.string() })
  .refine((value) => value.password === value.confirm, { path: ["confirm"], message: "The two passwords do not match." });

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await parseForm(request, ResetSchema);
  if (!form.ok) return invalidForm(form.errors);
  const done = await resetPassword(form.data.token, form.data.password, context.ip);
  if (!done) return formError("This link has expired or was already used. Ask for a new one.");
  return redirect("/login?reset=1", { headers: { "Set-Cookie": clearSessionCookie() } });
}

export default function ResetPassword() {
  const { token, usable } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="prose">
      <h1>Choose a new password</h1>
      {usable ? (
        <Form method="post" className="form">
          <FormErrors errors={result?.errors} />
          <input type="hidden" name="token" value={token} />
          <Field
            name="password"
            label="New password"
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN}
            hint={`At least ${PASSWORD_MIN} characters. Every session of your account will be signed out.`}
            errors={result?.errors}
          />
          <Field name="confirm" label="New password, again" type="password" autoComplete="new-password" required errors={result?.errors} />
          <SubmitButton>Change password</SubmitButton>
        </Form>
      ) : (
        <p className="notice error">
          This link has expired or was already used. <Link to="/forgot-password">Ask for a new one</Link>.
        </p>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
