import { data, redirect, type MetaFunction } from "react-router";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { SubmitButton } from "#app/components/forms.tsx";
import { RegistrationFormFields } from "#app/components/registration/registration-form.tsx";
import { COUNTRY_OPTIONS } from "#app/.server/accounts/countries.ts";
import { can, requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { DomainError, InvalidError } from "#app/.server/errors.ts";
import { readFormData } from "#app/.server/http/forms.ts";
import { cancelRegistration, getInvitation, getMyRegistration, submitRegistration, updateRegistration } from "#app/.server/registration/registrations.ts";
import { dayRangeLabel } from "#app/.server/agenda/time.ts";
import { CATEGORY_LABELS, fieldErrorsOf, RegistrationFormSchema, STATUS_LABELS, valuesOf, type RegistrationValues } from "#app/shared/registration.ts";
import { DATE_TIME } from "#app/shared/dates.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";

export const meta: MetaFunction = () => [{ title: "Register · Liaison" }];

const NOTICES = {
  registered: "Thank you: your registration is in. We sent you a mail.",
  updated: "Your answers are saved.",
  cancelled: "Your registration is cancelled. Your seat goes to the next person on the waitlist.",
} as const;

const INVITATION = /^[a-z0-9]{20,64}$/;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const token = url.searchParams.get("invitation");
  const invitationToken = token && INVITATION.test(token) ? token : null;
  const viewer = context.viewer;
  const mine = viewer && can(viewer, "register:conference") ? await getMyRegistration(viewer) : null;
  const done = url.searchParams.get("done");
  const invitation = invitationToken ? await getInvitation(invitationToken) : null;
  const conference = mine?.context.conference;
  const registration = mine?.registration;
  return {
    signedIn: Boolean(viewer),
    verified: Boolean(viewer?.emailVerified),
    notice: done && done in NOTICES ? NOTICES[done as keyof typeof NOTICES] : null,
    invitation: invitation ? { token: invitationToken, email: invitation.email, status: invitation.status } : null,
    conference: conference ? { name: conference.name, dates: dayRangeLabel(conference.startsOn, conference.endsOn), city: conference.city, organizerEmail: conference.organizerEmail } : null,
    open: mine?.open ?? false,
    canChange: mine?.canChange ?? false,
    deadline: mine ? DATE_TIME.format(mine.deadline) : null,
    seatsLeft: mine?.seatsLeft ?? null,
    waitlistPosition: mine?.waitlistPosition ?? null,
    registration: registration
      ? {
          status: registration.status,
          decisionReason: registration.decisionReason,
          values: {
            category: registration.category,
            agency: registration.agency,
            jobTitle: registration.jobTitle,
            country: registration.country,
            arrivalOn: registration.arrivalOn,
            departureOn: registration.departureOn,
            dietaryNeeds: registration.dietaryNeeds,
            accessibilityNeeds: registration.accessibilityNeeds,
            directoryConsent: registration.directoryConsent ? "on" : "",
          } satisfies RegistrationValues,
        }
      : null,
    defaults: viewer ? ({ agency: viewer.agency, jobTitle: viewer.jobTitle, country: viewer.country ?? "" } satisfies RegistrationValues) : {},
    countries: mine ? COUNTRY_OPTIONS : [],
    dates: conference ? { min: shift(conference.startsOn, -7), max: shift(conference.endsOn, 7) } : { min: "", max: "" },
  };
}

function shift(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

type Errors = Partial<Record<string, string[]>>;

function refused(errors: Errors, values: RegistrationValues, status: number, intent: string) {
  return data({ ok: false as const, errors, values, intent }, { status });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "register:conference");
  const formData = await readFormData(request);
  const intent = String(formData.get("intent") ?? "");
  const values = valuesOf(formData);
  const links = { link: (path: string) => siteUrl(request, path) };
  try {
    if (intent === "cancel") {
      await cancelRegistration(viewer, links);
      throw redirect("/register?done=cancelled");
    }
    if (intent !== "register" && intent !== "update") return refused({ form: ["Choose what to do."] }, values, 400, intent);
    const parsed = RegistrationFormSchema.safeParse(values);
    if (!parsed.success) return refused(fieldErrorsOf(parsed.error), values, 400, intent);
    if (intent === "update") {
      await updateRegistration(viewer, parsed.data);
      throw redirect("/register?done=updated");
    }
    const invitation = formData.get("invitation");
    await submitRegistration(viewer, parsed.data, links, { invitationToken: typeof invitation === "string" && INVITATION.test(invitation) ? invitation : null });
    throw redirect("/register?done=registered");
  } catch (error) {
    if (error instanceof InvalidError) return refused(error.fieldErrors, values, 400, intent);
    if (error instanceof DomainError && error.kind !== "not_found") return refused({ form: [error.publicMessage] }, values, error.status, intent);
    throw error;
  }
}

export default function Register() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const registration = page.registration;
  const formErrors = result?.errors.form;
  return (
    <section className="prose">
      <h1>Register{page.conference ? ` for ${page.conference.name}` : ""}</h1>
      {page.conference ? (
        <p>
          {page.conference.dates}, {page.conference.city}.
        </p>
      ) : null}
      {page.notice ? (
        <p className="notice success" role="status">
          {page.notice}
        </p>
      ) : null}
      {formErrors?.length ? (
        <div className="notice error" role="alert">
          {formErrors.map((message) => (
            <p key={message}>{message}</p>
          ))}
        </div>
      ) : null}
      {page.invitation ? <InvitationNotice invitation={page.invitation} signedIn={page.signedIn} /> : null}

      {!page.signedIn ? (
        <>
          <p>You register with your Liaison account. Create one (it takes a minute and a confirmed address), or sign in.</p>
          <p className="actions">
            <Link className="button" to="/signup">
              Create an account
            </Link>
            <Link to={`/login?${new URLSearchParams({ redirectTo: page.invitation?.token ? `/register?invitation=${page.invitation.token}` : "/register" })}`}>Sign in</Link>
          </p>
        </>
      ) : !page.verified ? (
        <p>
          Confirm your address first: <Link to="/verify-email">we sent you a link</Link>.
        </p>
      ) : !page.conference ? (
        <p>No conference is open for registration yet.</p>
      ) : registration && registration.status !== "cancelled" ? (
        <MyRegistration page={page} result={result} />
      ) : page.open || page.invitation?.status === "pending" ? (
        <>
          {registration?.status === "cancelled" ? <p>You cancelled your registration. You can register again below.</p> : null}
          {page.seatsLeft === 0 ? <p className="notice">Every seat is taken: if you register, you join the waitlist.</p> : null}
          <RegistrationFormFields
            intent="register"
            submit={
              <SubmitButton name="intent" value="register">
                {page.invitation?.status === "pending" ? "Register with the invitation" : "Register"}
              </SubmitButton>
            }
            values={result?.intent === "register" ? result.values : { ...page.defaults, ...(registration?.values ?? {}) }}
            errors={result?.intent === "register" ? result.errors : undefined}
            countries={page.countries}
            dates={page.dates}
            invitation={page.invitation?.status === "pending" ? page.invitation.token : null}
          />
        </>
      ) : (
        <p>Registration is not open. Write to {page.conference.organizerEmail} with any question.</p>
      )}
    </section>
  );
}

function InvitationNotice({ invitation, signedIn }: { invitation: { email: string; status: string }; signedIn: boolean }) {
  if (invitation.status !== "pending") return <p className="notice error">This invitation has been used or withdrawn. Ask the organizers for a new one.</p>;
  return (
    <p className="notice">
      You are invited, and a seat is set aside for you: register {signedIn ? "below" : "after signing in"} with the account for <strong>{invitation.email}</strong>.
    </p>
  );
}

type PageData = ReturnType<typeof useLoaderData<typeof loader>>;

function MyRegistration({ page, result }: { page: PageData; result: ReturnType<typeof useActionData<typeof action>> }) {
  const registration = page.registration!;
  const seated = registration.status === "approved" || registration.status === "checked_in";
  const open = registration.status === "submitted" || registration.status === "approved" || registration.status === "waitlisted";
  return (
    <>
      <section aria-labelledby="state-title" className="card">
        <h2 id="state-title">Your registration</h2>
        <p>
          <span className="badge">{STATUS_LABELS[registration.status]}</span>{" "}
          {registration.status === "submitted" ? "The organizers will decide soon; we will write to you." : null}
          {registration.status === "waitlisted" ? `You are number ${page.waitlistPosition ?? "?"} on the waitlist. Seats go in order, and we will write when one is yours.` : null}
          {seated ? `You have a seat. Category: ${CATEGORY_LABELS[registration.values.category]}.` : null}
        </p>
        {registration.status === "declined" ? (
          <>
            <p>The organizers could not accept your registration. Their reason:</p>
            <blockquote dir="auto">{registration.decisionReason}</blockquote>
          </>
        ) : null}
        {seated ? (
          <ul>
            <li>
              <Link to="/register/badge">Your badge</Link>, to print and bring to the door
            </li>
            <li>
              <Link to="/register/breakouts">Sign up for breakout sessions</Link>
            </li>
            <li>
              <Link to="/register/directory">The participant directory</Link>
            </li>
          </ul>
        ) : null}
        {open ? (
          page.canChange ? (
            <p>You can change your answers or cancel until {page.deadline} UTC.</p>
          ) : (
            <p>The deadline for changes has passed. Write to {page.conference?.organizerEmail} if something changes.</p>
          )
        ) : null}
      </section>
      {open && page.canChange ? (
        <>
          <h2>Change your answers</h2>
          <RegistrationFormFields
            intent="update"
            submit={
              <SubmitButton name="intent" value="update">
                Save my answers
              </SubmitButton>
            }
            values={result?.intent === "update" ? result.values : registration.values}
            errors={result?.intent === "update" ? result.errors : undefined}
            countries={page.countries}
            dates={page.dates}
          />
          <h2>Cancel</h2>
          <Form method="post" className="form">
            <p>If you cannot come, cancel so that someone on the waitlist gets your seat. This cannot be undone, but you may register again while registration is open.</p>
            <SubmitButton name="intent" value="cancel" className="danger">
              Cancel my registration
            </SubmitButton>
          </Form>
        </>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
