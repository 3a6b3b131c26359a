import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { clearSessionCookie } from "#app/.server/accounts/cookies.ts";
import { requireViewer } from "#app/.server/accounts/guards.ts";
import { deleteAccount } from "#app/.server/accounts/profile.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { CurrentPasswordSchema } from "#app/.server/accounts/schemas.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { handleForm, refuse } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";

export const meta = errorAwareMeta(() => [{ title: "Delete your account · Liaison" }]);

const DeleteSchema = z.object({
  currentPassword: CurrentPasswordSchema,
  confirmation: z.string().trim().refine((value) => value === "DELETE", "Type DELETE, in capitals, to confirm."),
});

export function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  return { email: viewer.email, constraints: formConstraints(DeleteSchema) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireViewer(request, context);
  return handleForm(request, DeleteSchema, async (input) => {
    const result = await deleteAccount({ userId: viewer.id, currentPassword: input.currentPassword, ip: context.ip, links: { link: (path) => siteUrl(request, path) } });
    if (!result.ok) refuse({ [result.field]: [result.message] }, result.field === "form" ? 409 : 400);
    // The notice shows on the home page: after the deletion there is no account page to show it on.
    throw redirectWithNotice("/", "account-deleted", { headers: { "Set-Cookie": clearSessionCookie() } });
  });
}

export default function DeleteAccount() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <section className="prose">
      <h1>Delete your account</h1>
      <p>
        This deletes the account <strong className="wrap">{page.email}</strong> at once. It cannot be undone. Deleted with it:
      </p>
      <ul>
        <li>your profile, roles and membership;</li>
        <li>every session (you are signed out everywhere) and any links we mailed you that are still open;</li>
        <li>two-factor authentication and recovery codes;</li>
        <li>your vetting applications, the vouches others gave you, and the vouches you gave;</li>
        <li>your conference registrations (a seat you held goes to the next person on the waitlist), session sign-ups, starred sessions and calendar feed.</li>
      </ul>
      <p>
        What stays: the audit log keeps its entries (who did what, and when), including one recording this deletion, because it
        cannot be changed; copies of mail we sent you stay in the mail log for up to 90 days. You may want to{" "}
        <a href="/account/export">download your data</a> first.
      </p>
      <ValidatedForm reply={reply} constraints={page.constraints}>
        <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" />
        <Field name="confirmation" label="Type DELETE to confirm" autoComplete="off" autoCapitalize="characters" spellCheck={false} />
        <SubmitButton className="danger">Delete my account</SubmitButton>
      </ValidatedForm>
      <p>
        <Link to="/account">Keep my account</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
