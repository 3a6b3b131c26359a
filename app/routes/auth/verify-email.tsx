import { redirect } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { peekEmailToken } from "#app/.server/accounts/email-tokens.ts";
import { requireViewer } from "#app/.server/accounts/guards.ts";
import { TokenSchema } from "#app/.server/accounts/schemas.ts";
import { resendVerification, verifyEmail } from "#app/.server/accounts/sign-up.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { takeRateLimit } from "#app/.server/accounts/throttle.ts";
import { formSuccess, handleForm, refuse } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";

export const meta = errorAwareMeta(() => [{ title: "Verify your email · Liaison" }]);

/**
 * The link in the mail opens this page; verifying takes a click (a POST), so that mail scanners that follow
 * links do not use the token up.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const token = url.searchParams.get("token");
  if (token !== null) {
    const usable = TokenSchema.safeParse(token).success && (await peekEmailToken(token, "verify-email")) !== null;
    return { mode: "confirm" as const, token, usable };
  }
  if (context.viewer?.emailVerified) throw redirect("/account");
  return { mode: "pending" as const, signedIn: context.viewer !== null, email: context.viewer?.email ?? null };
}

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("verify"), token: TokenSchema }),
  z.object({ intent: z.literal("resend") }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  return handleForm(request, ActionSchema, async (input) => {
    if (input.intent === "verify") {
      const outcome = await verifyEmail(input.token, context.ip);
      if (outcome === "invalid") refuse("This link has expired or was already used. Sign in to get a new one.");
      throw context.viewer ? redirectWithNotice("/account", "email-verified") : redirectWithNotice("/login", "email-verified-sign-in");
    }
    const viewer = requireViewer(request, context);
    if (!(await takeRateLimit(`resend-verification:${viewer.id}`, 5, 3600))) {
      refuse("You have asked for several links already. Wait an hour, then try again.", 429);
    }
    await resendVerification(viewer.id, { ip: context.ip, link: (path) => siteUrl(request, path) });
    return formSuccess(`A new link is on its way to ${viewer.email}.`);
  });
}

export default function VerifyEmail() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  if (page.mode === "confirm") {
    return (
      <section className="prose">
        <h1>Verify your email address</h1>
        {page.usable ? (
          <ValidatedForm reply={reply} intent="verify">
            <input type="hidden" name="token" value={page.token} />
            <SubmitButton>Verify my address</SubmitButton>
          </ValidatedForm>
        ) : (
          <p className="notice error">
            This link has expired or was already used. <Link to="/login">Sign in</Link> to get a new one.
          </p>
        )}
      </section>
    );
  }
  return (
    <section className="prose">
      <h1>Check your inbox</h1>
      <p>Open the link in the mail to verify your address. Until then you can sign in, but not register or apply for vetting.</p>
      {page.signedIn ? (
        <ValidatedForm reply={reply} intent="resend">
          <SubmitButton className="secondary">Send the link again</SubmitButton>
        </ValidatedForm>
      ) : (
        <p>
          <Link to="/login">Sign in</Link>
        </p>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
