import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { NewPasswordFields, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { clearSessionCookie } from "#app/.server/accounts/cookies.ts";
import { peekEmailToken } from "#app/.server/accounts/email-tokens.ts";
import { NewPasswordSchema } from "#app/.server/accounts/passwords.ts";
import { resetPassword } from "#app/.server/accounts/password-reset.ts";
import { TokenSchema } from "#app/.server/accounts/schemas.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { handleForm, refuse } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";

export const meta = errorAwareMeta(() => [{ title: "Choose a new password · Liaison" }]);

const ResetSchema = z
  .object({ token: TokenSchema, password: NewPasswordSchema, confirm: z.string() })
  .refine((value) => value.password === value.confirm, { path: ["confirm"], message: "The two passwords do not match." });

export async function loader({ request }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const usable = TokenSchema.safeParse(token).success && (await peekEmailToken(token, "reset-password")) !== null;
  return { token, usable, constraints: formConstraints(ResetSchema) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleForm(request, ResetSchema, async (input) => {
    const done = await resetPassword(input.token, input.password, context.ip);
    if (!done) refuse("This link has expired or was already used. Ask for a new one.");
    throw redirectWithNotice("/login", "password-reset", { headers: { "Set-Cookie": clearSessionCookie() } });
  });
}

export default function ResetPassword() {
  const { token, usable, constraints } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <section className="prose">
      <h1>Choose a new password</h1>
      {usable ? (
        <ValidatedForm reply={reply} constraints={constraints}>
          <input type="hidden" name="token" value={token} />
          <NewPasswordFields hint={`At least ${constraints.password?.minLength ?? 12} characters. Every session of your account will be signed out.`} />
          <SubmitButton>Change password</SubmitButton>
        </ValidatedForm>
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
