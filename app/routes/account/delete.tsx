import { redirect, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SubmitButton } from "#app/components/forms.tsx";
import { clearSessionCookie } from "#app/.server/accounts/cookies.ts";
import { requireViewer } from "#app/.server/accounts/guards.ts";
import { deleteAccount } from "#app/.server/accounts/profile.ts";
import { CurrentPasswordSchema } from "#app/.server/accounts/schemas.ts";
import { formError, invalidForm, parseForm } from "#app/.server/http/forms.ts";

export const meta: MetaFunction = () => [{ title: "Delete your account · Liaison" }];

export function loader({ request, context }: LoaderFunctionArgs) {
  // After the deletion there is no viewer any more; the page then only confirms what happened.
  if (!context.viewer && new URL(request.url).searchParams.get("deleted") === "1") return { deleted: true as const };
  const viewer = requireViewer(request, context);
  return { deleted: false as const, email: viewer.email };
}

const DeleteSchema = z.object({
  currentPassword: CurrentPasswordSchema,
  confirmation: z.string().trim().refine((value) => value === "DELETE", "Type DELETE, in capitals, to confirm."),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireViewer(request, context);
  const form = await parseForm(request, DeleteSchema);
  if (!form.ok) return invalidForm(form.errors);
  const result = await deleteAccount({ userId: viewer.id, currentPassword: form.data.currentPassword, ip: context.ip });
  if (!result.ok) {
    return result.field === "form" ? formError(result.message, 409) : invalidForm({ [result.field]: [result.message] });
  }
  throw redirect("/account/delete?deleted=1", { headers: { "Set-Cookie": clearSessionCookie() } });
}

export default function DeleteAccount() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  if (page.deleted) {
    return (
      <section className="prose">
        <h1>Account deleted</h1>
        <p className="notice success" role="status">
          Your account and the data held with it were deleted, and you were signed out.
        </p>
        <p>
          <Link to="/">Back to the home page</Link>
        </p>
      </section>
    );
  }
  const errors = result?.errors;
  return (
    <section className="prose">
      <h1>Delete your account</h1>
      <p>
        This deletes the account <strong>{page.email}</strong> at once. It cannot be undone. Deleted with it:
      </p>
      <ul>
        <li>your profile, roles and membership;</li>
        <li>every session (you are signed out everywhere) and any links we mailed you that are still open;</li>
        <li>two-factor authentication and recovery codes;</li>
        <li>your vetting applications, the vouches others gave you, and the vouches you gave.</li>
      </ul>
      <p>
        What stays: the audit log keeps its entries (who did what, and when), including one recording this deletion, because it
        cannot be changed; copies of mail we sent you stay in the mail log for up to 90 days. You may want to{" "}
        <a href="/account/export">download your data</a> first.
      </p>
      <Form method="post" className="form">
        <FormErrors errors={errors} />
        <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" required errors={errors} />
        <Field
          name="confirmation"
          label="Type DELETE to confirm"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          required
          pattern="\s*DELETE\s*"
          errors={errors}
        />
        <SubmitButton className="danger">Delete my account</SubmitButton>
      </Form>
      <p>
        <Link to="/account">Keep my account</Link>
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
