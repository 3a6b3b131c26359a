import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { peekEmailToken } from "#app/.server/accounts/email-tokens.ts";
import { confirmEmailChange } from "#app/.server/accounts/profile.ts";
import { TokenSchema } from "#app/.server/accounts/schemas.ts";
import { formSuccess, handleForm, refuse } from "#app/.server/http/forms.ts";

export const meta = errorAwareMeta(() => [{ title: "Confirm your new address · Liaison" }]);

/**
 * The link in the mail opens this page; the change takes a click (a POST), so that mail scanners that follow
 * links do not use the token up. Holding the link proves the new mailbox is yours: no sign-in is needed.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const pending = TokenSchema.safeParse(token).success ? await peekEmailToken(token, "change-email") : null;
  return { token, newEmail: pending?.email ?? null };
}

const ConfirmSchema = z.object({ token: TokenSchema });

export async function action({ request, context }: ActionFunctionArgs) {
  return handleForm(request, ConfirmSchema, async ({ token }) => {
    const outcome = await confirmEmailChange(token, context.ip);
    if (outcome.status === "invalid") refuse("This link has expired or was already used. Ask for a new one from your account's security page.");
    if (outcome.status === "taken") {
      refuse("This address now belongs to another Liaison account, so it cannot be used. Your address was not changed.", 409);
    }
    return formSuccess(`Your Liaison account now uses ${outcome.email}. Sign in with this address from now on.`, {
      signedIn: context.viewer !== null,
    });
  });
}

export default function ConfirmEmail() {
  const { token, newEmail } = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  if (reply?.status === "success") {
    return (
      <section className="prose">
        <h1>Address changed</h1>
        <p className="notice success" role="status">
          {reply.notice}
        </p>
        <p>{reply.data.signedIn ? <Link to="/account">Back to your account</Link> : <Link to="/login">Sign in</Link>}</p>
      </section>
    );
  }
  return (
    <section className="prose">
      <h1>Confirm your new address</h1>
      {newEmail || reply ? (
        <ValidatedForm reply={reply}>
          {newEmail ? (
            <p>
              Make <strong className="wrap">{newEmail}</strong> the address of your Liaison account. You will sign in with it from now on.
            </p>
          ) : null}
          <input type="hidden" name="token" value={token} />
          {newEmail ? <SubmitButton>Use this address</SubmitButton> : null}
        </ValidatedForm>
      ) : (
        <p className="notice error">
          This link has expired or was already used. Ask for a new one on your account&rsquo;s{" "}
          <Link to="/account/security">security page</Link>.
        </p>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
