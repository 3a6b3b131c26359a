import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { TokenSchema } from "#app/.server/accounts/schemas.ts";
import { formSuccess, handleForm, refuse } from "#app/.server/http/forms.ts";
import { checkOfficialEmailToken, verifyOfficialEmail } from "#app/.server/vetting/applications.ts";
import { VerifyOfficialEmailSchema } from "#app/.server/vetting/schemas.ts";

export const meta = errorAwareMeta(() => [{ title: "Confirm your official address · Liaison" }]);

/**
 * The link in the mail opens this page; confirming takes a click (a POST), so that mail scanners, which follow
 * links, do not use the token up. No sign-in is needed: the official mailbox may well be on another computer.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const found = TokenSchema.safeParse(token).success ? await checkOfficialEmailToken(token) : null;
  return found ? { mode: "confirm" as const, token, email: found.email } : { mode: "unusable" as const };
}

export async function action({ request, context }: ActionFunctionArgs) {
  return handleForm(request, VerifyOfficialEmailSchema, async ({ token }) => {
    const outcome = await verifyOfficialEmail(token, context.ip);
    if (outcome === "invalid") refuse("This link has expired, was already used, or belongs to an application that is closed.");
    return formSuccess("Thank you: your official address is confirmed. The organizers will see it on your application.");
  });
}

export default function VerifyOfficialEmail() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <section className="prose">
      <h1>Confirm your official address</h1>
      {reply?.status === "success" ? (
        <>
          <p className="notice success" role="status">
            {reply.notice}
          </p>
          <p>
            You can close this page, or follow your application on the <Link to="/vetting">vetting page</Link>.
          </p>
        </>
      ) : page.mode === "confirm" || reply ? (
        <ValidatedForm reply={reply}>
          {page.mode === "confirm" ? (
            <>
              <p>
                Someone applying for membership of Liaison gave <strong className="wrap">{page.email}</strong> as their official address.
                If that was you, confirm it. If it was not, close this page: nothing changes.
              </p>
              <input type="hidden" name="token" value={page.token} />
              <SubmitButton>Confirm this address</SubmitButton>
            </>
          ) : null}
        </ValidatedForm>
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
