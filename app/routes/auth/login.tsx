import { redirect, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useSearchParams } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SubmitButton } from "#app/components/forms.tsx";
import { safeRedirectPath } from "#app/.server/accounts/guards.ts";
import { SignInSchema } from "#app/.server/accounts/schemas.ts";
import { signIn } from "#app/.server/accounts/sign-in.ts";
import { formError, invalidForm, parseForm } from "#app/.server/http/forms.ts";

export const meta: MetaFunction = () => [{ title: "Sign in · Liaison" }];

export function loader({ request, context }: LoaderFunctionArgs) {
  if (context.viewer) throw redirect(safeRedirectPath(new URL(request.url).searchParams.get("redirectTo"), "/account"));
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await parseForm(request, SignInSchema);
  if (!form.ok) return invalidForm(form.errors);
  const result = await signIn(form.data, { ip: context.ip, userAgent: context.userAgent });
  if (!result.ok) {
    if (result.reason === "throttled") return formError(result.message, 429);
    if (result.reason === "suspended") return formError("This account is suspended. Contact the organizers.", 403);
    return formError("The email address or password is not correct.", 401);
  }
  const redirectTo = safeRedirectPath(form.data.redirectTo, "/account");
  const next = result.needsMfa ? `/login/mfa?${new URLSearchParams({ redirectTo })}` : redirectTo;
  return redirect(next, { headers: { "Set-Cookie": result.cookie } });
}

export default function Login() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors = result?.errors;
  return (
    <section className="prose">
      <h1>Sign in</h1>
      {params.get("reset") ? <p className="notice success">Your password was changed. Sign in with the new one.</p> : null}
      {params.get("verified") ? <p className="notice success">Your email address is verified. Sign in to continue.</p> : null}
      <Form method="post" className="form">
        <FormErrors errors={errors} />
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
        <Field name="email" label="Email address" type="email" autoComplete="username" required errors={errors} />
        <Field name="password" label="Password" type="password" autoComplete="current-password" required errors={errors} />
        <SubmitButton>Sign in</SubmitButton>
      </Form>
      <p>
        <Link to="/forgot-password">Forgot your password?</Link> · <Link to="/signup">Create an account</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

