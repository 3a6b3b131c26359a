import { data, type HeadersFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { RecoveryCodeList, TotpKeyChoices } from "#app/components/two-factor-setup.tsx";
import { requireVerifiedViewer, safeRedirectPath } from "#app/.server/accounts/guards.ts";
import {
  beginTotpEnrolment,
  confirmTotpEnrolment,
  describeTotpKey,
  disableTotp,
  regenerateRecoveryCodes,
  remainingRecoveryCodes,
  type MfaFailure,
} from "#app/.server/accounts/mfa.ts";
import { CurrentPasswordSchema } from "#app/.server/accounts/schemas.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { formSuccess, handleForm, refuse } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";

export const meta = errorAwareMeta(() => [{ title: "Two-factor authentication · Liaison" }]);

// The page carries a secret key or recovery codes: no cache may keep it.
const NO_STORE = { "Cache-Control": "no-store" };
export const headers: HeadersFunction = () => NO_STORE;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireVerifiedViewer(request, context);
  const url = new URL(request.url);
  const page = {
    required: url.searchParams.get("required") === "1",
    continueTo: safeRedirectPath(url.searchParams.get("redirectTo"), "/account"),
    account: viewer.email,
    constraints: {
      enrol: formConstraints(MfaActionSchema, "enrol"),
      regenerate: formConstraints(MfaActionSchema, "regenerate"),
      disable: formConstraints(MfaActionSchema, "disable"),
    },
  };
  if (viewer.mfaEnrolled) {
    return data({ ...page, enrolled: true, remaining: await remainingRecoveryCodes(viewer.id), setup: null }, { headers: NO_STORE });
  }
  // A new key on every visit; nothing is stored until the user confirms a code from it.
  const { key, uri, qrSvg } = await beginTotpEnrolment(viewer.email);
  return data({ ...page, enrolled: false, remaining: 0, setup: { key, uri, qrSvg } }, { headers: NO_STORE });
}

const MfaActionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("enrol"),
    key: z.string({ error: "The setup expired. Start again." }).max(128),
    code: z
      .string({ error: "Enter the code your app shows." })
      .trim()
      .min(1, "Enter the code your app shows.")
      .max(16, "Enter the six-digit code your app shows."),
    currentPassword: CurrentPasswordSchema,
  }),
  z.object({ intent: z.literal("regenerate"), currentPassword: CurrentPasswordSchema }),
  z.object({ intent: z.literal("disable"), currentPassword: CurrentPasswordSchema }),
]);

function failed(result: MfaFailure): never {
  refuse({ [result.field]: [result.message] }, result.throttled ? 429 : 400);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireVerifiedViewer(request, context);
  const { ip } = context;
  const result = await handleForm(request, MfaActionSchema, async (input) => {
    switch (input.intent) {
      case "enrol": {
        const { key, code, currentPassword } = input;
        const enrolled = await confirmTotpEnrolment({ userId: viewer.id, sessionId: viewer.session.id, key, code, currentPassword, ip });
        if (!enrolled.ok) failed(enrolled);
        return formSuccess(null, { recoveryCodes: enrolled.recoveryCodes });
      }
      case "regenerate": {
        const regenerated = await regenerateRecoveryCodes({ userId: viewer.id, currentPassword: input.currentPassword, ip });
        if (!regenerated.ok) failed(regenerated);
        return formSuccess(null, { recoveryCodes: regenerated.recoveryCodes });
      }
      case "disable": {
        const disabled = await disableTotp({ userId: viewer.id, currentPassword: input.currentPassword, ip });
        if (!disabled.ok) failed(disabled);
        throw redirectWithNotice("/account/mfa", "mfa-off");
      }
    }
  });
  // After a refused setup the page shows the key the user already scanned, so their app keeps matching.
  const reply = result.data;
  const sentKey = reply.status === "error" && reply.intent === "enrol" ? reply.values.key : undefined;
  const kept = typeof sentKey === "string" ? await describeTotpKey(viewer.email, sentKey) : null;
  return data({ reply, setup: kept ? { key: kept.key, uri: kept.uri, qrSvg: kept.qrSvg } : null }, { status: result.init?.status ?? 200, headers: NO_STORE });
}

function RecoveryCodes({ codes, fresh, continueTo, account }: { codes: string[]; fresh: boolean; continueTo: string; account: string }) {
  return (
    <section className="prose">
      <h1>{fresh ? "Two-factor authentication is on" : "New recovery codes"}</h1>
      <p className="notice success" role="status">
        {fresh ? "From now on, signing in asks for a code from your authenticator app." : "Your old recovery codes no longer work."}
      </p>
      <h2>Your recovery codes</h2>
      <p className="notice">
        Store these codes somewhere safe, such as a password manager or a printed sheet kept locked away. Each one lets you sign
        in once if you lose your device. <strong>They are shown only now</strong>: this page will not show them again.
      </p>
      <RecoveryCodeList codes={codes} account={account} />
      <p className="no-print">
        <Link to={continueTo} className="button">
          Continue
        </Link>
      </p>
    </section>
  );
}

export default function MfaSettings() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const reply = result?.reply;
  if (reply?.status === "success" && reply.data) {
    return <RecoveryCodes codes={reply.data.recoveryCodes} fresh={reply.intent === "enrol"} continueTo={page.continueTo} account={page.account} />;
  }
  const setup = result?.setup ?? page.setup;

  return (
    <section className="prose">
      <h1>Two-factor authentication</h1>
      {page.required && !page.enrolled ? (
        <p className="notice">
          Your role gives you access to members&rsquo; material or to running the site, and that requires two-factor authentication.
          Set it up below to continue.
        </p>
      ) : null}
      <p>
        Status: <strong>{page.enrolled ? "on" : "off"}</strong>.{" "}
        {page.enrolled
          ? "Signing in asks for a code from your authenticator app after your password."
          : "Signing in asks only for your password."}
      </p>

      {page.enrolled ? (
        <>
          <h2>Recovery codes</h2>
          <p>
            You have <strong>{page.remaining}</strong> unused recovery {page.remaining === 1 ? "code" : "codes"}.
            {page.remaining < 3 ? " Make new ones before you run out." : null}
          </p>
          <p>Making new codes replaces all the old ones. The new codes are shown once.</p>
          <ValidatedForm reply={reply} intent="regenerate" constraints={page.constraints.regenerate}>
            <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" />
            <div>
              <SubmitButton>Make new recovery codes</SubmitButton>
            </div>
          </ValidatedForm>

          <h2>Turn off two-factor authentication</h2>
          <p className="notice">
            Members, moderators, organizers and admins need two-factor authentication: if you hold one of these roles, you will be
            asked to set it up again before you can use those parts of the site.
          </p>
          <ValidatedForm reply={reply} intent="disable" constraints={page.constraints.disable}>
            <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" />
            <div>
              <SubmitButton className="danger">Turn off two-factor authentication</SubmitButton>
            </div>
          </ValidatedForm>
        </>
      ) : setup ? (
        <>
          <h2>Set up</h2>
          <ol>
            <li>Open an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or 1Password).</li>
            <li>Scan this QR code with it, open the link below on your phone, or type in the key.</li>
            <li>Enter the six-digit code the app shows, and your current password.</li>
          </ol>
          <TotpKeyChoices setup={setup} />
          <ValidatedForm reply={reply} intent="enrol" constraints={page.constraints.enrol}>
            <input type="hidden" name="key" value={setup.key} />
            <Field name="code" label="Code from your app" autoComplete="one-time-code" inputMode="numeric" />
            <Field
              name="currentPassword"
              label="Current password"
              hint="Changing how you sign in asks for your password again."
              type="password"
              autoComplete="current-password"
            />
            <div>
              <SubmitButton>Turn on two-factor authentication</SubmitButton>
            </div>
          </ValidatedForm>
        </>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
