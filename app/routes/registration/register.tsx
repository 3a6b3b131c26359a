import type { MetaFunction } from "react-router";
import { Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ConfirmAction, ErrorSummary, ValidatedForm } from "#app/components/forms.tsx";
import { RegistrationFormFields } from "#app/components/registration/registration-form.tsx";
import { COUNTRY_OPTIONS } from "#app/.server/accounts/countries.ts";
import { can, requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { ForbiddenError } from "#app/.server/errors.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { handleForm, refuse } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";
import { cancelRegistration, getInvitation, getMyRegistration, submitRegistration, updateRegistration } from "#app/.server/registration/registrations.ts";
import { dayRangeLabel } from "#app/.server/agenda/time.ts";
import { CATEGORY_LABELS, RegistrationFormSchema, STATUS_LABELS, type RegistrationValues } from "#app/shared/registration.ts";
import { DATE_TIME } from "#app/shared/dates.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";

export const meta: MetaFunction = () => [{ title: "Register · Liaison" }];

const INVITATION = /^[a-z0-9]{20,64}$/;

const RegisterPageSchema = z.discriminatedUnion(
  "intent",
  [
    // A malformed invitation token is ignored, as in the page's link: the registration goes ahead without it.
    RegistrationFormSchema.safeExtend({
      intent: z.literal("register"),
      invitation: z
        .string()
        .optional()
        .transform((token) => (token && INVITATION.test(token) ? token : null)),
    }),
    RegistrationFormSchema.safeExtend({ intent: z.literal("update") }),
    z.object({ intent: z.literal("cancel") }),
  ],
  { error: "Choose what to do." },
);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const token = url.searchParams.get("invitation");
  const invitationToken = token && INVITATION.test(token) ? token : null;
  const viewer = context.viewer;
  const mine = viewer && can(viewer, "register:conference") ? await getMyRegistration(viewer) : null;
  const invitation = invitationToken ? await getInvitation(invitationToken) : null;
  const conference = mine?.context.conference;
  const registration = mine?.registration;
  return {
    signedIn: Boolean(viewer),
    verified: Boolean(viewer?.emailVerified),
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
    constraints: formConstraints(RegisterPageSchema, "register"),
  };
}

function shift(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "register:conference");
  const links = { link: (path: string) => siteUrl(request, path) };
  // Post, redirect, get: a reload does not send the form again. A closed registration, a passed deadline or a second
  // cancel (ConflictError) comes back as the form's message.
  return handleForm(request, RegisterPageSchema, async (input) => {
    try {
      if (input.intent === "cancel") {
        await cancelRegistration(viewer, links);
        throw redirectWithNotice("/register", "registration-cancelled");
      }
      if (input.intent === "update") {
        await updateRegistration(viewer, input);
        throw redirectWithNotice("/register", "registration-updated");
      }
      await submitRegistration(viewer, input, links, { invitationToken: input.invitation });
      throw redirectWithNotice("/register", "registration-submitted");
    } catch (error) {
      // An invitation for another address: the person can fix it by signing in with that one.
      if (error instanceof ForbiddenError) refuse(error.publicMessage, 403);
      throw error;
    }
  });
}

type PageData = ReturnType<typeof useLoaderData<typeof loader>>;
type Reply = ReturnType<typeof useActionData<typeof action>>;

/** The registration's state as the page shows it: whether it can still change, and whether it holds a seat. */
function standing(page: PageData) {
  const status = page.registration?.status;
  const open = status === "submitted" || status === "approved" || status === "waitlisted";
  return {
    active: Boolean(status && status !== "cancelled"),
    open,
    seated: status === "approved" || status === "checked_in",
    changeable: open && page.canChange,
  };
}

export default function Register() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const registration = page.registration;
  const { active, changeable } = standing(page);
  const ready = page.signedIn && page.verified && page.conference !== null;
  const canRegister = ready && !active && (page.open || page.invitation?.status === "pending");
  // Each form shows its own problems; a refusal whose form the page no longer shows (registration closed, the
  // deadline passed meanwhile) is shown at the top instead.
  const shownForms = [...(canRegister ? ["register"] : []), ...(ready && changeable ? ["update", "cancel"] : [])];
  const stray = reply?.status === "error" && !shownForms.includes(reply.intent ?? "") ? reply : null;
  return (
    <section className="prose">
      <h1>Register{page.conference ? ` for ${page.conference.name}` : ""}</h1>
      {page.conference ? (
        <p>
          {page.conference.dates}, {page.conference.city}.
        </p>
      ) : null}
      {stray ? <ErrorSummary errors={stray.errors} formId="registration" reply={stray} /> : null}
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
      ) : active ? (
        <MyRegistration page={page} reply={reply} />
      ) : canRegister ? (
        <>
          {registration?.status === "cancelled" ? <p>You cancelled your registration. You can register again below.</p> : null}
          {page.seatsLeft === 0 ? <p className="notice">Every seat is taken: if you register, you join the waitlist.</p> : null}
          <RegistrationFormFields
            intent="register"
            submitLabel={page.invitation?.status === "pending" ? "Register with the invitation" : "Register"}
            reply={reply}
            defaults={{ ...page.defaults, ...(registration?.values ?? {}) }}
            constraints={page.constraints}
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

function MyRegistration({ page, reply }: { page: PageData; reply: Reply }) {
  const registration = page.registration!;
  const { open, seated, changeable } = standing(page);
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
      {changeable ? (
        <>
          <h2>Change your answers</h2>
          <RegistrationFormFields
            intent="update"
            submitLabel="Save my answers"
            reply={reply}
            defaults={registration.values}
            constraints={page.constraints}
            countries={page.countries}
            dates={page.dates}
          />
          <h2>Cancel</h2>
          <ValidatedForm reply={reply} intent="cancel">
            <p>If you cannot come, cancel so that someone on the waitlist gets your seat.</p>
            <ConfirmAction label="Cancel my registration" confirmLabel="Yes, cancel my registration" className="danger">
              <p>
                {seated ? "Your seat and your breakout seats go to the next people on the waitlists at once. " : ""}This cannot be undone, but you may register
                again while registration is open.
              </p>
            </ConfirmAction>
          </ValidatedForm>
        </>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
