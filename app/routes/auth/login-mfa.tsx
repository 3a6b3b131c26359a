import { Form, redirect, useActionData, useLoaderData, useSearchParams, type AppLoadContext } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { z } from "zod";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { safeRedirectPath } from "#app/.server/accounts/guards.ts";
import { verifySecondFactor } from "#app/.server/accounts/mfa.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { handleForm, refuse } from "#app/.server/http/forms.ts";

export const meta = errorAwareMeta(() => [{ title: "Two-factor authentication · Liaison" }]);

const SecondFactorSchema = z.object({
  code: z
    .string({ error: "Enter the code from your authenticator app, or a recovery code." })
    .trim()
    .min(1, "Enter the code from your authenticator app, or a recovery code.")
    .max(64, "That code is too long."),
  redirectTo: z.string().optional(),
});

/** Only a session that has passed the password step and still owes its second factor belongs here. */
function requirePendingMfa(request: Request, context: AppLoadContext) {
  const redirectTo = new URL(request.url).searchParams.get("redirectTo");
  if (context.viewer) throw redirect(safeRedirectPath(redirectTo, "/account"));
  if (!context.pendingMfa) throw redirect(redirectTo ? `/login?${new URLSearchParams({ redirectTo: safeRedirectPath(redirectTo, "/account") })}` : "/login");
  return context.pendingMfa;
}

export function loader({ request, context }: LoaderFunctionArgs) {
  requirePendingMfa(request, context);
  return { constraints: formConstraints(SecondFactorSchema) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const pending = requirePendingMfa(request, context);
  return handleForm(request, SecondFactorSchema, async (input) => {
    const result = await verifySecondFactor({ userId: pending.id, sessionId: pending.session.id, code: input.code, ip: context.ip });
    if (!result.ok) refuse({ code: [result.message] }, result.throttled ? 429 : 400);
    throw redirect(safeRedirectPath(input.redirectTo, "/account"));
  });
}

export default function LoginMfa() {
  const { constraints } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const [params] = useSearchParams();
  return (
    <section className="prose">
      <h1>Two-factor authentication</h1>
      <p>Your password was right. To finish signing in, enter the six-digit code your authenticator app shows for Liaison.</p>
      <ValidatedForm reply={reply} constraints={constraints}>
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? ""} />
        <Field
          name="code"
          label="Authentication code"
          hint="Lost your device? Enter one of your recovery codes instead; each works once."
          autoComplete="one-time-code"
          autoCapitalize="none"
          spellCheck={false}
        />
        <SubmitButton>Verify</SubmitButton>
      </ValidatedForm>
      <Form method="post" action="/logout" className="form">
        <p className="muted">Not you, or cannot get a code now?</p>
        <div>
          <button type="submit" className="secondary">
            Sign out
          </button>
        </div>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
