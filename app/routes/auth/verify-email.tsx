import { redirect, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormErrors, SubmitButton } from "#app/components/forms.tsx";
import { peekEmailToken } from "#app/.server/accounts/email-tokens.ts";
import { requireViewer } from "#app/.server/accounts/guards.ts";
import { TokenSchema } from "#app/.server/accounts/schemas.ts";
import { resendVerification, verifyEmail } from "#app/.server/accounts/sign-up.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { takeRateLimit } from "#app/.server/accounts/throttle.ts";
import { formError, invalidForm, parseForm } from "#app/.server/http/forms.ts";

export const meta: MetaFunction = () => [{ title: "Verify your email · Liaison" }];

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
  return { mode: "pending" as const, sent: url.searchParams.get("sent") === "1", signedIn: context.viewer !== null, email: context.viewer?.email ?? null };
}

const ActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("verify"), token: TokenSchema }),
  z.object({ intent: z.literal("resend") }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await parseForm(request, ActionSchema);
  if (!form.ok) return invalidForm(form.errors);
  if (form.data.intent === "verify") {
    const outcome = await verifyEmail(form.data.token, context.ip);
    if (outcome === "invalid") return formError("This link has expired or was already used. Sign in to get a new one.", 400);
    throw redirect(context.viewer ? "/account?verified=1" : "/login?verified=1");
  }
  const viewer = requireViewer(request, context);
  if (!(await takeRateLimit(`resend-verification:${viewer.id}`, 5, 3600))) {
    return formError("You have asked for several links already. Wait an hour, then try again.", 429);
  }
  await resendVerification(viewer.id, { ip: context.ip, link: (path) => siteUrl(request, path) });
  return { ok: true as const, errors: undefined };
}

export default function VerifyEmail() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  if (page.mode === "confirm") {
    return (
      <section className="prose">
        <h1>Verify your email address</h1>
        {page.usable ? (
          <Form method="post" className="form">
            <FormErrors errors={result?.errors} />
            <input type="hidden" name="token" value={page.token} />
            <SubmitButton name="intent" value="verify">
              Verify my address
            </SubmitButton>
          </Form>
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
      {page.sent ? (
        <p className="notice success">
          We sent a verification link to the address you gave, unless it already has an account (then we sent it a note instead).
        </p>
      ) : null}
      <p>Open the link in the mail to verify your address. Until then you can sign in, but not register or apply for vetting.</p>
      {page.signedIn ? (
        <Form method="post" className="form">
          <FormErrors errors={result?.errors} />
          {result?.ok ? <p className="notice success">A new link is on its way to {page.email}.</p> : null}
          <SubmitButton name="intent" value="resend" className="secondary">
            Send the link again
          </SubmitButton>
        </Form>
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
