import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ConfirmAction, Field, NewPasswordFields, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { SessionsTable } from "#app/components/sessions-table.tsx";
import { requireViewer } from "#app/.server/accounts/guards.ts";
import { NewPasswordSchema } from "#app/.server/accounts/passwords.ts";
import { changePassword, endOtherSessions, listSessionsForOwner, requestEmailChange } from "#app/.server/accounts/profile.ts";
import { CurrentPasswordSchema, EmailSchema } from "#app/.server/accounts/schemas.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { formSuccess, handleForm, refuse } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";

export const meta = errorAwareMeta(() => [{ title: "Security · Liaison" }]);

const SecuritySchema = z.discriminatedUnion("intent", [
  z
    .object({ intent: z.literal("password"), currentPassword: CurrentPasswordSchema, password: NewPasswordSchema, confirm: z.string() })
    .refine((value) => value.password === value.confirm, { path: ["confirm"], message: "The two passwords do not match." }),
  z.object({ intent: z.literal("email"), currentPassword: CurrentPasswordSchema, email: EmailSchema }),
  z.object({ intent: z.literal("sessions") }),
]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  return {
    email: viewer.email,
    sessions: await listSessionsForOwner(viewer.id, viewer.session.id),
    constraints: { password: formConstraints(SecuritySchema, "password"), email: formConstraints(SecuritySchema, "email") },
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireViewer(request, context);
  return handleForm(request, SecuritySchema, async (input) => {
    if (input.intent === "password") {
      const result = await changePassword({
        userId: viewer.id,
        currentPassword: input.currentPassword,
        newPassword: input.password,
        mfaVerified: viewer.session.mfaVerified,
        ip: context.ip,
        userAgent: context.userAgent,
      });
      if (!result.ok) refuse({ [result.field]: [result.message] });
      throw redirectWithNotice("/account/security", "password-changed", { headers: { "Set-Cookie": result.cookie } });
    }
    if (input.intent === "email") {
      const result = await requestEmailChange(
        { userId: viewer.id, currentPassword: input.currentPassword, newEmail: input.email },
        { ip: context.ip, link: (path) => siteUrl(request, path) },
      );
      if (!result.ok) refuse({ [result.field]: [result.message] }, result.field === "form" ? 429 : 400);
      return formSuccess(`A confirmation link was sent to ${input.email}. Open it within 24 hours to finish the change.`);
    }
    const { ended } = await endOtherSessions(viewer.id, viewer.session.id, context.ip);
    return formSuccess(ended === 0 ? "There were no other sessions to sign out." : `Signed out of ${ended} other ${ended === 1 ? "session" : "sessions"}.`);
  });
}

export default function Security() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const others = page.sessions.filter((session) => !session.current).length;
  return (
    <section className="prose">
      <h1>Security</h1>
      <p>
        <Link to="/account">Back to your account</Link> · <Link to="/account/mfa">Two-factor authentication</Link>
      </p>

      <h2>Change your password</h2>
      <ValidatedForm reply={reply} intent="password" constraints={page.constraints.password}>
        <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" />
        <NewPasswordFields
          hint={`At least ${page.constraints.password.password?.minLength ?? 12} characters; a long phrase is easiest. Every other session of your account will be signed out.`}
        />
        <SubmitButton>Change password</SubmitButton>
      </ValidatedForm>

      <h2>Change your email address</h2>
      <p>
        Your address is <strong className="wrap">{page.email}</strong>. We send a link to the new address; it changes only once you
        open that link. Your current address gets a note about the request.
      </p>
      <ValidatedForm reply={reply} intent="email" constraints={page.constraints.email} resetOnSuccess>
        <Field name="email" label="New email address" type="email" autoComplete="email" />
        <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" />
        <SubmitButton>Send confirmation link</SubmitButton>
      </ValidatedForm>

      <h2>Where you are signed in</h2>
      <SessionsTable sessions={page.sessions} caption="Active sessions, most recently used first" />
      <ValidatedForm reply={reply} intent="sessions">
        {others > 0 ? (
          <ConfirmAction label="Sign out everywhere else" confirmLabel={`Yes, sign out ${others} other ${others === 1 ? "session" : "sessions"}`}>
            <p>Every other browser and device signed in to your account is signed out at once. This browser stays signed in.</p>
          </ConfirmAction>
        ) : (
          <p className="muted">You are signed in on this device only.</p>
        )}
      </ValidatedForm>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
