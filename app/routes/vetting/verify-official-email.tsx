import { redirect, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormErrors, SubmitButton } from "#app/components/forms.tsx";
import { TokenSchema } from "#app/.server/accounts/schemas.ts";
import { formError, invalidForm, parseForm } from "#app/.server/http/forms.ts";
import { checkOfficialEmailToken, verifyOfficialEmail } from "#app/.server/vetting/applications.ts";
import { VerifyOfficialEmailSchema } from "#app/.server/vetting/schemas.ts";

export const meta: MetaFunction = () => [{ title: "Confirm your official address · Liaison" }];

/**
 * The link in the mail opens this page; confirming takes a click (a POST), so that mail scanners, which follow
 * links, do not use the token up. No sign-in is needed: the official mailbox may well be on another computer.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  if (url.searchParams.get("done") === "1") return { mode: "done" as const };
  const token = url.searchParams.get("token") ?? "";
  const found = TokenSchema.safeParse(token).success ? await checkOfficialEmailToken(token) : null;
  return found ? { mode: "confirm" as const, token, email: found.email } : { mode: "unusable" as const };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await parseForm(request, VerifyOfficialEmailSchema);
  if (!form.ok) return invalidForm(form.errors);
  const outcome = await verifyOfficialEmail(form.data.token, context.ip);
  if (outcome === "invalid") return formError("This link has expired, was already used, or belongs to an application that is closed.", 400);
  throw redirect("/vetting/verify?done=1");
}

export default function VerifyOfficialEmail() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="prose">
      <h1>Confirm your official address</h1>
      {page.mode === "done" ? (
        <>
          <p className="notice success">Thank you: your official address is confirmed. The organizers will see it on your application.</p>
          <p>
            You can close this page, or follow your application on the <Link to="/vetting">vetting page</Link>.
          </p>
        </>
      ) : page.mode === "confirm" ? (
        <>
          <p>
            Someone applying for membership of Liaison gave <strong>{page.email}</strong> as their official address. If that was you,
            confirm it. If it was not, close this page: nothing changes.
          </p>
          <Form method="post" className="form">
            <FormErrors errors={result?.errors} />
            <input type="hidden" name="token" value={page.token} />
            <SubmitButton>Confirm this address</SubmitButton>
          </Form>
        </>
      ) : (
        <p className="notice error">
          This link has expired or was already used. Sign in and open the <Link to="/vetting">vetting page</Link> to get a new one.
        </p>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
