import { data, redirect, type HeadersFunction, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SubmitButton } from "#app/components/forms.tsx";
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
import { parseForm, readFormData, type FieldErrors } from "#app/.server/http/forms.ts";

export const meta: MetaFunction = () => [{ title: "Two-factor authentication · Liaison" }];

// The page carries a secret key or recovery codes: no cache may keep it.
const NO_STORE = { "Cache-Control": "no-store" };
export const headers: HeadersFunction = () => NO_STORE;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireVerifiedViewer(request, context);
  const url = new URL(request.url);
  const page = {
    required: url.searchParams.get("required") === "1",
    turnedOff: url.searchParams.get("off") === "1",
    continueTo: safeRedirectPath(url.searchParams.get("redirectTo"), "/account"),
    account: viewer.email,
  };
  if (viewer.mfaEnrolled) {
    return data({ ...page, enrolled: true, remaining: await remainingRecoveryCodes(viewer.id), setup: null }, { headers: NO_STORE });
  }
  // A new key on every visit; nothing is stored until the user confirms a code from it.
  const { key, uri, qrSvg } = await beginTotpEnrolment(viewer.email);
  return data({ ...page, enrolled: false, remaining: 0, setup: { key, uri, qrSvg } }, { headers: NO_STORE });
}

const Intent = z.enum(["enrol", "regenerate", "disable"]);
type Intent = z.infer<typeof Intent>;

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

type Reply = {
  intent: Intent | null;
  errors: FieldErrors | null;
  /** After a failed setup: the key the user already scanned, so their app keeps matching. */
  setup: { key: string; uri: string; qrSvg: string } | null;
  recoveryCodes: string[] | null;
};

function reply(body: Partial<Reply>, status = 200) {
  const full: Reply = { intent: null, errors: null, setup: null, recoveryCodes: null, ...body };
  return data(full, { status, headers: NO_STORE });
}

function failure(intent: Intent, result: MfaFailure, setup: Reply["setup"] = null) {
  return reply({ intent, errors: { [result.field]: [result.message] }, setup }, result.throttled ? 429 : 400);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireVerifiedViewer(request, context);
  // The raw fields say which form was sent (and which key it showed) even when the rest does not validate.
  const raw = await readFormData(request.clone());
  const sentIntent = Intent.safeParse(raw.get("intent"));
  const sentKey = String(raw.get("key") ?? "");
  const keptSetup = async () => {
    const setup = await describeTotpKey(viewer.email, sentKey);
    return setup ? { key: setup.key, uri: setup.uri, qrSvg: setup.qrSvg } : null;
  };

  const form = await parseForm(request, MfaActionSchema);
  if (!form.ok) {
    if (!sentIntent.success) return reply({ errors: { form: ["The form could not be read. Reload the page and try again."] } }, 400);
    const setup = sentIntent.data === "enrol" ? await keptSetup() : null;
    return reply({ intent: sentIntent.data, errors: form.errors, setup }, 400);
  }

  const { ip } = context;
  switch (form.data.intent) {
    case "enrol": {
      const { key, code, currentPassword } = form.data;
      const result = await confirmTotpEnrolment({ userId: viewer.id, sessionId: viewer.session.id, key, code, currentPassword, ip });
      if (!result.ok) return failure("enrol", result, await keptSetup());
      return reply({ intent: "enrol", recoveryCodes: result.recoveryCodes });
    }
    case "regenerate": {
      const result = await regenerateRecoveryCodes({ userId: viewer.id, currentPassword: form.data.currentPassword, ip });
      if (!result.ok) return failure("regenerate", result);
      return reply({ intent: "regenerate", recoveryCodes: result.recoveryCodes });
    }
    case "disable": {
      const result = await disableTotp({ userId: viewer.id, currentPassword: form.data.currentPassword, ip });
      if (!result.ok) return failure("disable", result);
      throw redirect("/account/mfa?off=1");
    }
  }
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
  if (result?.recoveryCodes) {
    return <RecoveryCodes codes={result.recoveryCodes} fresh={result.intent === "enrol"} continueTo={page.continueTo} account={page.account} />;
  }
  const errorsFor = (intent: Intent) => (result?.intent === intent ? (result.errors ?? undefined) : undefined);
  const setup = result?.setup ?? page.setup;

  return (
    <section className="prose">
      <h1>Two-factor authentication</h1>
      {result && result.intent === null ? <FormErrors errors={result.errors ?? undefined} /> : null}
      {page.turnedOff ? (
        <p className="notice success" role="status">
          Two-factor authentication is off.
        </p>
      ) : null}
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
          <Form method="post" className="form">
            <FormErrors errors={errorsFor("regenerate")} />
            <input type="hidden" name="intent" value="regenerate" />
            <Field
              name="currentPassword"
              label="Current password"
              type="password"
              autoComplete="current-password"
              required
              errors={errorsFor("regenerate")}
            />
            <div>
              <SubmitButton>Make new recovery codes</SubmitButton>
            </div>
          </Form>

          <h2>Turn off two-factor authentication</h2>
          <p className="notice">
            Members, moderators, organizers and admins need two-factor authentication: if you hold one of these roles, you will be
            asked to set it up again before you can use those parts of the site.
          </p>
          <Form method="post" className="form">
            <FormErrors errors={errorsFor("disable")} />
            <input type="hidden" name="intent" value="disable" />
            <Field
              name="currentPassword"
              label="Current password"
              type="password"
              autoComplete="current-password"
              required
              errors={errorsFor("disable")}
            />
            <div>
              <SubmitButton className="danger">Turn off two-factor authentication</SubmitButton>
            </div>
          </Form>
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
          <Form method="post" className="form">
            <FormErrors errors={errorsFor("enrol")} />
            <input type="hidden" name="intent" value="enrol" />
            <input type="hidden" name="key" value={setup.key} />
            <Field
              name="code"
              label="Code from your app"
              autoComplete="one-time-code"
              inputMode="numeric"
              maxLength={16}
              required
              errors={errorsFor("enrol")}
            />
            <Field
              name="currentPassword"
              label="Current password"
              hint="Changing how you sign in asks for your password again."
              type="password"
              autoComplete="current-password"
              required
              errors={errorsFor("enrol")}
            />
            <div>
              <SubmitButton>Turn on two-factor authentication</SubmitButton>
            </div>
          </Form>
        </>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
