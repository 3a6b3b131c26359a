import { data, redirect, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SubmitButton } from "#app/components/forms.tsx";
import { requireViewer } from "#app/.server/accounts/guards.ts";
import { NewPasswordSchema } from "#app/.server/accounts/passwords.ts";
import { changePassword, endOtherSessions, listSessionsForOwner, requestEmailChange } from "#app/.server/accounts/profile.ts";
import { CurrentPasswordSchema, EmailSchema } from "#app/.server/accounts/schemas.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { parseForm, readFormData, type FieldErrors } from "#app/.server/http/forms.ts";
import { PASSWORD_MIN } from "#app/shared/password-rules.ts";
import { DATE_TIME } from "#app/shared/dates.ts";

export const meta: MetaFunction = () => [{ title: "Security · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  return {
    email: viewer.email,
    sessions: await listSessionsForOwner(viewer.id, viewer.session.id),
    passwordChanged: new URL(request.url).searchParams.get("password") === "changed",
  };
}

const SecuritySchema = z.discriminatedUnion("intent", [
  z
    .object({ intent: z.literal("password"), currentPassword: CurrentPasswordSchema, password: NewPasswordSchema, confirm: z.string() })
    .refine((value) => value.password === value.confirm, { path: ["confirm"], message: "The two passwords do not match." }),
  z.object({ intent: z.literal("email"), currentPassword: CurrentPasswordSchema, email: EmailSchema }),
  z.object({ intent: z.literal("sessions") }),
]);
type Intent = z.output<typeof SecuritySchema>["intent"];

/** Three forms share the page: a refusal names its form, so that its messages appear there and nowhere else. */
function refuse(intent: Intent | null, errors: FieldErrors, status = 400) {
  return data({ ok: false as const, intent, errors }, { status });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requireViewer(request, context);
  const submitted = (await readFormData(request.clone())).get("intent");
  const intent = submitted === "password" || submitted === "email" || submitted === "sessions" ? submitted : null;
  const form = await parseForm(request, SecuritySchema);
  if (!form.ok) return refuse(intent, form.errors);

  if (form.data.intent === "password") {
    const result = await changePassword({
      userId: viewer.id,
      currentPassword: form.data.currentPassword,
      newPassword: form.data.password,
      mfaVerified: viewer.session.mfaVerified,
      ip: context.ip,
      userAgent: context.userAgent,
    });
    if (!result.ok) return refuse("password", { [result.field]: [result.message] });
    throw redirect("/account/security?password=changed", { headers: { "Set-Cookie": result.cookie } });
  }

  if (form.data.intent === "email") {
    const result = await requestEmailChange(
      { userId: viewer.id, currentPassword: form.data.currentPassword, newEmail: form.data.email },
      { ip: context.ip, link: (path) => siteUrl(request, path) },
    );
    if (!result.ok) return refuse("email", { [result.field]: [result.message] }, result.field === "form" ? 429 : 400);
    return { ok: true as const, intent: "email" as const, sentTo: form.data.email, errors: undefined };
  }

  const { ended } = await endOtherSessions(viewer.id, viewer.session.id, context.ip);
  return { ok: true as const, intent: "sessions" as const, ended, errors: undefined };
}

function Time({ date }: { date: Date }) {
  return <time dateTime={date.toISOString()}>{DATE_TIME.format(date)} UTC</time>;
}

export default function Security() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errorsFor = (intent: Intent) => (result?.intent === intent ? result.errors : undefined);
  const others = page.sessions.filter((session) => !session.current).length;
  return (
    <section className="prose">
      <h1>Security</h1>
      <p>
        <Link to="/account">Back to your account</Link> · <Link to="/account/mfa">Two-factor authentication</Link>
      </p>

      <h2>Change your password</h2>
      {page.passwordChanged ? (
        <p className="notice success">Your password was changed. Every other session was signed out; this browser stays signed in.</p>
      ) : null}
      <Form method="post" className="form">
        <FormErrors errors={errorsFor("password")} />
        <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" required errors={errorsFor("password")} />
        <Field
          name="password"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN}
          hint={`At least ${PASSWORD_MIN} characters; a long phrase is easiest. Every other session of your account will be signed out.`}
          errors={errorsFor("password")}
        />
        <Field name="confirm" label="New password, again" type="password" autoComplete="new-password" required errors={errorsFor("password")} />
        <SubmitButton name="intent" value="password">
          Change password
        </SubmitButton>
      </Form>

      <h2>Change your email address</h2>
      <p>
        Your address is <strong>{page.email}</strong>. We send a link to the new address; it changes only once you open that link.
        Your current address gets a note about the request.
      </p>
      {result?.ok && result.intent === "email" ? (
        <p className="notice success" role="status">
          A confirmation link was sent to {result.sentTo}. Open it within 24 hours to finish the change.
        </p>
      ) : null}
      <Form method="post" className="form">
        <FormErrors errors={errorsFor("email")} />
        <Field name="email" label="New email address" type="email" autoComplete="email" required errors={errorsFor("email")} />
        <Field name="currentPassword" label="Current password" type="password" autoComplete="current-password" required errors={errorsFor("email")} />
        <SubmitButton name="intent" value="email">
          Send confirmation link
        </SubmitButton>
      </Form>

      <h2>Where you are signed in</h2>
      {result?.ok && result.intent === "sessions" ? (
        <p className="notice success" role="status">
          {result.ended === 0 ? "There were no other sessions to sign out." : `Signed out of ${result.ended} other ${result.ended === 1 ? "session" : "sessions"}.`}
        </p>
      ) : null}
      <FormErrors errors={errorsFor("sessions")} />
      <div className="table-wrap">
        <table>
          <caption className="muted">Active sessions, most recently used first</caption>
          <thead>
            <tr>
              <th scope="col">Browser</th>
              <th scope="col">Signed in</th>
              <th scope="col">Last seen</th>
              <th scope="col">IP address</th>
            </tr>
          </thead>
          <tbody>
            {page.sessions.map((session, index) => (
              <tr key={index}>
                <td>
                  {session.browser} {session.current ? <span className="badge">This device</span> : null}
                </td>
                <td>
                  <Time date={session.createdAt} />
                </td>
                <td>
                  <Time date={session.lastSeenAt} />
                </td>
                <td>{session.ip ?? "Unknown"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {others > 0 ? (
        <Form method="post" className="form">
          <SubmitButton name="intent" value="sessions" className="secondary">
            Sign out everywhere else
          </SubmitButton>
        </Form>
      ) : (
        <p className="muted">You are signed in on this device only.</p>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
