import type { MetaFunction } from "react-router";
import { Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ConfirmAction, ErrorSummary, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { describeSlot } from "#app/.server/agenda/mails.ts";
import { handleForm } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";
import { listBreakouts, signUpForSession, withdrawFromSession } from "#app/.server/registration/breakouts.ts";
import { requireSeatedRegistration } from "#app/.server/registration/registrations.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";

export const meta: MetaFunction = () => [{ title: "Breakout sessions · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "register:conference");
  await requireSeatedRegistration(viewer);
  const { timeZone, sessions } = await listBreakouts(viewer);
  return {
    sessions: sessions.map((session) => ({
      id: session.id,
      title: session.title,
      when: describeSlot(session, timeZone),
      seatsLeft: Math.max(0, session.capacity - session.seatsTaken),
      capacity: session.capacity,
      mine: session.mine === "cancelled" ? null : session.mine,
      position: session.position,
    })),
    zone: timeZone.replace(/_/g, " "),
  };
}

const BreakoutSchema = z.object({
  intent: z.enum(["sign-up", "withdraw"], { error: "Choose what to do." }),
  sessionId: z.uuid({ error: "Choose a session from the list." }),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "register:conference");
  // Post, redirect, get: a reload does not send the form again, and the answer costs no page render. A full session
  // or an overlap (ConflictError) comes back as the message of that session's form.
  return handleForm(request, BreakoutSchema, async (input) => {
    if (input.intent === "withdraw") {
      const { withdrawn } = await withdrawFromSession(viewer, input.sessionId, { link: (path) => siteUrl(request, path) });
      throw redirectWithNotice("/register/breakouts", withdrawn ? "breakout-withdrawn" : "breakout-not-signed-up");
    }
    // The place in a waitlist shows on the session's card, so the notice needs no number of its own.
    const { status } = await signUpForSession(viewer, input.sessionId);
    throw redirectWithNotice("/register/breakouts", status === "confirmed" ? "breakout-confirmed" : "breakout-waitlisted");
  });
}

export default function Breakouts() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  // A refusal shows on its session's form; one for a session no longer listed shows at the top.
  const stray = reply?.status === "error" && !page.sessions.some((session) => session.id === reply.form) ? reply : null;
  return (
    <section>
      <p>
        <Link to="/register">← Your registration</Link>
      </p>
      <h1>Breakout sessions</h1>
      <p>
        These sessions have a limited number of seats. When one is full you join its waitlist, and seats go to the waitlist in order. You cannot
        hold two sessions that overlap. Times are the venue&rsquo;s ({page.zone}).
      </p>
      {stray ? <ErrorSummary errors={stray.errors} formId="breakouts" reply={stray} /> : null}
      {page.sessions.length === 0 ? <p>No session needs a sign-up.</p> : null}
      <ul className="breakouts">
        {page.sessions.map((session) => (
          <li key={session.id} className="card">
            <h2>
              <Link to={`/agenda/sessions/${session.id}`}>{session.title}</Link>
            </h2>
            <p>{session.when}</p>
            <p>
              {session.mine === "confirmed" ? (
                <span className="badge">You have a seat</span>
              ) : session.mine === "waitlisted" ? (
                <span className="badge">Waitlist, number {session.position}</span>
              ) : null}{" "}
              {session.seatsLeft > 0 ? `${session.seatsLeft} of ${session.capacity} seats left.` : `Full (${session.capacity} seats).`}
            </p>
            {session.mine ? (
              <ValidatedForm reply={reply} intent="withdraw" row={session.id}>
                <input type="hidden" name="sessionId" value={session.id} />
                <ConfirmAction
                  label={session.mine === "confirmed" ? "Give up my seat" : "Leave the waitlist"}
                  confirmLabel={session.mine === "confirmed" ? "Yes, give up my seat" : "Yes, leave the waitlist"}
                >
                  <p>
                    {session.mine === "confirmed"
                      ? "Your seat goes to the next person waiting at once. If you change your mind, you sign up again and may find the session full."
                      : "You lose your place in line. If you join again, you go to the end of the waitlist."}
                  </p>
                </ConfirmAction>
              </ValidatedForm>
            ) : (
              <ValidatedForm reply={reply} intent="sign-up" row={session.id}>
                <input type="hidden" name="sessionId" value={session.id} />
                <SubmitButton>{session.seatsLeft > 0 ? "Sign up" : "Join the waitlist"}</SubmitButton>
              </ValidatedForm>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
