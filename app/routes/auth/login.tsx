import { redirect } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData, useSearchParams } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { safeRedirectPath } from "#app/.server/accounts/guards.ts";
import { SignInSchema } from "#app/.server/accounts/schemas.ts";
import { signIn } from "#app/.server/accounts/sign-in.ts";
import { config } from "#app/.server/config.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { handleForm, refuse } from "#app/.server/http/forms.ts";

export const meta = errorAwareMeta(() => [{ title: "Sign in · Liaison" }]);

export function loader({ request, context }: LoaderFunctionArgs) {
  if (context.viewer) throw redirect(safeRedirectPath(new URL(request.url).searchParams.get("redirectTo"), "/account"));
  return { constraints: formConstraints(SignInSchema) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleForm(request, SignInSchema, async (input) => {
    const result = await signIn(input, { ip: context.ip, userAgent: context.userAgent });
    if (!result.ok) {
      if (result.reason === "throttled") refuse(result.message, 429);
      if (result.reason === "suspended") {
        refuse(`This account is suspended. To ask why, or to appeal, write to the organizers at ${config().organizersEmail}.`, 403);
      }
      refuse("The email address or password is not correct.", 401);
    }
    const redirectTo = safeRedirectPath(input.redirectTo, "/account");
    const next = result.needsMfa ? `/login/mfa?${new URLSearchParams({ redirectTo })}` : redirectTo;
    throw redirect(next, { headers: { "Set-Cookie": result.cookie } });
  });
}

export default function Login() {
  const { constraints } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <section className="prose">
      <h1>Sign in</h1>
      <ValidatedForm reply={reply} constraints={constraints}>
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
        <Field name="email" label="Email address" type="email" autoComplete="username" />
        <Field name="password" label="Password" type="password" autoComplete="current-password" />
        <SubmitButton>Sign in</SubmitButton>
      </ValidatedForm>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link> · <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
