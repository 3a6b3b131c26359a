import type { MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormErrors, SubmitButton } from "#app/components/forms.tsx";
import { peekEmailToken } from "#app/.server/accounts/email-tokens.ts";
import { confirmEmailChange } from "#app/.server/accounts/profile.ts";
import { TokenSchema } from "#app/.server/accounts/schemas.ts";
import { formError, invalidForm, parseForm } from "#app/.server/http/forms.ts";

export const meta: MetaFunction = () => [{ title: "Confirm your new address · Liaison" }];

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
  const form = await parseForm(request, ConfirmSchema);
  if (!form.ok) return invalidForm(form.errors);
  const outcome = await confirmEmailChange(form.data.token, context.ip);
  if (outcome.status === "invalid") return formError("This link has expired or was already used. Ask for a new one from your account's security page.");
  if (outcome.status === "taken") {
    return formError("This address now belongs to another Liaison account, so it cannot be used. Your address was not changed.", 409);
  }
  return { ok: true as const, email: outcome.email, signedIn: context.viewer !== null, errors: undefined };
}

export default function ConfirmEmail() {
  const { token, newEmail } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  if (result?.ok) {
    return (
      <section className="prose">
        <h1>Address changed</h1>
        <p className="notice success" role="status">
          Your Liaison account now uses {result.email}. Sign in with this address from now on.
        </p>
        <p>{result.signedIn ? <Link to="/account">Back to your account</Link> : <Link to="/login">Sign in</Link>}</p>
      </section>
    );
  }
  return (
    <section className="prose">
      <h1>Confirm your new address</h1>
      {newEmail ? (
        <Form method="post" className="form">
          <FormErrors errors={result?.errors} />
          <p>
            Make <strong>{newEmail}</strong> the address of your Liaison account. You will sign in with it from now on.
          </p>
          <input type="hidden" name="token" value={token} />
          <SubmitButton>Use this address</SubmitButton>
        </Form>
      ) : result?.errors?.form ? (
        <FormErrors errors={result.errors} />
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
