import { and, eq, inArray, sql } from "drizzle-orm";
import { database, getDb, type Transaction } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { breakoutSignups, registrationInvitations, registrations, SEATED_STATUSES, type Registration, type RegistrationStatus } from "#db/schema/registration.ts";
import type { Viewer } from "../accounts/sessions.ts";
import { isCountryCode } from "../accounts/countries.ts";
import { hashToken } from "../accounts/tokens.ts";
import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from "../errors.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { CATEGORY_LABELS, type RegistrationForm } from "#app/shared/registration.ts";
import { lockConferenceLedger, lockSessionLedger, type ConferenceLedger, mailConfirmation, releaseConferenceSeat, releaseSessionSeat, takeConferenceSeat } from "./ledger.ts";
import { waitlistedMail, type Links } from "./mails.ts";
import { changeDeadline, registrationContext, registrationOpen, type RegistrationContext } from "./settings.ts";

/**
 * An attendee's own registration for the current conference: register (once, whatever the number of clicks), change
 * the answers and cancel until the deadline, and accept an invitation.
 */

export type Registrant = Pick<Viewer, "id" | "email" | "roles">;

export const isSeated = (status: RegistrationStatus) => (SEATED_STATUSES as readonly string[]).includes(status);

/** What the form cannot check in the browser: a known country, dates around the conference, members-only categories. */
function checkAnswers(context: RegistrationContext, viewer: Registrant, form: RegistrationForm): void {
  const errors: Record<string, string[]> = {};
  if (!isCountryCode(form.country)) errors.country = ["Choose your country from the list."];
  const { startsOn, endsOn } = context.conference;
  // A week either side covers travel; anything further is a typing slip.
  const earliest = shiftDay(startsOn, -7);
  const latest = shiftDay(endsOn, 7);
  if (form.arrivalOn < earliest || form.arrivalOn > endsOn) errors.arrivalOn = [`Arrive between ${earliest} and ${endsOn}.`];
  if (form.departureOn < startsOn || form.departureOn > latest) errors.departureOn = [`Leave between ${startsOn} and ${latest}.`];
  if (context.settings.membersOnlyCategories.includes(form.category) && !viewer.roles.includes("member")) {
    errors.category = [`${CATEGORY_LABELS[form.category]} is for vetted members: apply for vetting first, or choose another category.`];
  }
  if (Object.keys(errors).length > 0) throw new InvalidError(errors);
}

function shiftDay(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

const answers = (form: RegistrationForm) => ({
  category: form.category,
  agency: form.agency,
  jobTitle: form.jobTitle,
  country: form.country,
  arrivalOn: form.arrivalOn,
  departureOn: form.departureOn,
  dietaryNeeds: form.dietaryNeeds,
  accessibilityNeeds: form.accessibilityNeeds,
  directoryConsent: form.directoryConsent,
});

export type SubmitResult = { registration: Registration; created: boolean };

/**
 * Registers the viewer for the current conference. Under the conference's ledger lock: a second submit (double
 * click, second tab) finds the first registration and changes nothing; an invitation's seat becomes theirs; with
 * automatic approval a free seat is taken or the viewer joins the waitlist; otherwise the registration waits for
 * the organizers.
 */
export async function submitRegistration(viewer: Registrant, form: RegistrationForm, links: Links, options: { invitationToken?: string | null } = {}): Promise<SubmitResult> {
  return getDb().transaction(async (tx) => {
    const context = await registrationContext(tx);
    checkAnswers(context, viewer, form);
    const ledger = await lockConferenceLedger(tx, context.conference.id);
    const [existing] = await tx
      .select()
      .from(registrations)
      .where(and(eq(registrations.conferenceId, context.conference.id), eq(registrations.userId, viewer.id)));
    const invitation = options.invitationToken ? await claimInvitation(tx, context, viewer, options.invitationToken) : null;
    if (existing && existing.status !== "cancelled") {
      if (!invitation || isSeated(existing.status)) {
        if (invitation) throw new ConflictError("You already have a seat: keep the invitation for someone else, or ask the organizers to revoke it.");
        return { registration: existing, created: false };
      }
    }
    if (!invitation && !registrationOpen(context.conference)) throw new ConflictError("Registration is not open.");

    let status: RegistrationStatus;
    if (invitation) status = "approved"; // the invitation's seat passes to the registration
    else if (context.settings.approval === "open" || (context.settings.approval === "members" && viewer.roles.includes("member"))) {
      status = (await takeConferenceSeat(tx, ledger)) ? "approved" : "waitlisted";
    } else status = "submitted";

    const values = {
      ...answers(form),
      status,
      waitlistedAt: status === "waitlisted" ? sql`clock_timestamp()` : null,
      decidedAt: status === "approved" ? sql`now()` : null,
      decidedBy: null,
      decisionReason: null,
      updatedAt: sql`now()`,
    };
    const [registration] = existing
      ? await tx.update(registrations).set(values).where(eq(registrations.id, existing.id)).returning()
      : await tx
          .insert(registrations)
          .values({ conferenceId: context.conference.id, userId: viewer.id, ...values })
          .returning();
    if (invitation) {
      await tx.update(registrationInvitations).set({ registrationId: registration!.id }).where(eq(registrationInvitations.id, invitation));
    }
    if (status === "approved") await mailConfirmation(tx, registration!.id, links);
    if (status === "waitlisted") await enqueueMail(waitlistedMail(viewer.email, (await nameOf(tx, viewer.id)) ?? "", context.conference.name, links), tx);
    return { registration: registration!, created: true };
  });
}

async function nameOf(tx: Transaction, userId: string): Promise<string | null> {
  const [row] = await tx.select({ name: users.name }).from(users).where(eq(users.id, userId));
  return row?.name ?? null;
}

/** Marks a pending invitation for the viewer's address accepted; its seat was taken when it was made. */
async function claimInvitation(tx: Transaction, context: RegistrationContext, viewer: Registrant, token: string): Promise<string> {
  const [invitation] = await tx
    .select()
    .from(registrationInvitations)
    .where(and(eq(registrationInvitations.tokenHash, hashToken(token)), eq(registrationInvitations.conferenceId, context.conference.id)));
  if (!invitation || invitation.status === "revoked") throw new NotFoundError("This invitation is not valid (any more). Ask the organizers for a new one.");
  if (invitation.status === "accepted") throw new ConflictError("This invitation has been used already.");
  if (invitation.email.toLowerCase() !== viewer.email.toLowerCase()) {
    throw new ForbiddenError(`This invitation is for ${invitation.email}. Sign in with that address to use it.`);
  }
  await tx.update(registrationInvitations).set({ status: "accepted", acceptedAt: sql`now()` }).where(eq(registrationInvitations.id, invitation.id));
  return invitation.id;
}

export type InvitationView = { email: string; conference: string; status: "pending" | "accepted" | "revoked" };

/** What an invitation link shows before it is used: for whom, and whether it still holds. */
export async function getInvitation(token: string): Promise<InvitationView | null> {
  const context = await registrationContext();
  const [row] = await getDb()
    .select({ email: registrationInvitations.email, status: registrationInvitations.status })
    .from(registrationInvitations)
    .where(and(eq(registrationInvitations.tokenHash, hashToken(token)), eq(registrationInvitations.conferenceId, context.conference.id)));
  return row ? { ...row, conference: context.conference.name } : null;
}

function assertBeforeDeadline(context: RegistrationContext, what: string): void {
  if (new Date() > changeDeadline(context)) throw new ConflictError(`The deadline to ${what} has passed. Write to ${context.conference.organizerEmail} if something has changed.`);
}

/** Changes the answers of the viewer's registration (not its state), until the deadline. */
export async function updateRegistration(viewer: Registrant, form: RegistrationForm): Promise<Registration> {
  return getDb().transaction(async (tx) => {
    const context = await registrationContext(tx);
    checkAnswers(context, viewer, form);
    assertBeforeDeadline(context, "change your registration");
    const [row] = await tx
      .update(registrations)
      .set({ ...answers(form), updatedAt: sql`now()` })
      .where(
        and(
          eq(registrations.conferenceId, context.conference.id),
          eq(registrations.userId, viewer.id),
          inArray(registrations.status, ["submitted", "approved", "waitlisted"]),
        ),
      )
      .returning();
    if (!row) throw new ConflictError("There is no open registration of yours to change.");
    return row;
  });
}

/**
 * Cancels the viewer's registration until the deadline. Their seat, and their breakout seats, go to the heads of the
 * waitlists in the same transaction.
 */
export async function cancelRegistration(viewer: Registrant, links: Links): Promise<{ promoted: string[] }> {
  return getDb().transaction(async (tx) => {
    const context = await registrationContext(tx);
    assertBeforeDeadline(context, "cancel");
    const ledger = await lockConferenceLedger(tx, context.conference.id);
    const [registration] = await tx
      .select()
      .from(registrations)
      .where(and(eq(registrations.conferenceId, context.conference.id), eq(registrations.userId, viewer.id)))
      .for("update");
    if (!registration || !["submitted", "approved", "waitlisted"].includes(registration.status)) {
      throw new ConflictError("There is no open registration of yours to cancel.");
    }
    return { promoted: await withdrawRegistration(tx, ledger, registration, links) };
  });
}

/**
 * Cancels a registration whose row and conference ledger the caller has locked: its breakout sign-ups go, and a seat
 * it held goes to the head of the waitlist. Returns who was promoted.
 */
export async function withdrawRegistration(tx: Transaction, ledger: ConferenceLedger, registration: Pick<Registration, "id" | "status">, links: Links): Promise<string[]> {
  await tx.update(registrations).set({ status: "cancelled", waitlistedAt: null, updatedAt: sql`now()` }).where(eq(registrations.id, registration.id));
  await cancelSignupsOf(tx, registration.id, links);
  return isSeated(registration.status) ? releaseConferenceSeat(tx, ledger, links) : [];
}

/** Gives up every breakout seat and waitlist place of a registration, session by session in id order. */
export async function cancelSignupsOf(tx: Transaction, registrationId: string, links: Links): Promise<void> {
  const signups = await tx
    .select({ id: breakoutSignups.id, sessionId: breakoutSignups.sessionId })
    .from(breakoutSignups)
    .where(and(eq(breakoutSignups.registrationId, registrationId), inArray(breakoutSignups.status, ["confirmed", "waitlisted"])))
    .orderBy(breakoutSignups.sessionId);
  for (const signup of signups) {
    const ledger = await lockSessionLedger(tx, signup.sessionId);
    // Read again under the lock: a promotion or a cancelled session may have changed it while this waited.
    const [current] = await tx.select({ status: breakoutSignups.status }).from(breakoutSignups).where(eq(breakoutSignups.id, signup.id));
    if (!current || current.status === "cancelled") continue;
    await tx.update(breakoutSignups).set({ status: "cancelled", waitlistedAt: null, updatedAt: sql`now()` }).where(eq(breakoutSignups.id, signup.id));
    if (current.status === "confirmed") await releaseSessionSeat(tx, ledger, links);
  }
}

export type MyRegistration = {
  context: RegistrationContext;
  open: boolean;
  deadline: Date;
  canChange: boolean;
  registration: Registration | null;
  /** Place on the waitlist, 1 for the next in line. */
  waitlistPosition: number | null;
  seatsLeft: number | null;
};

export async function getMyRegistration(viewer: Pick<Viewer, "id">): Promise<MyRegistration> {
  const db = getDb();
  const context = await registrationContext(db);
  const [registration] = await db
    .select()
    .from(registrations)
    .where(and(eq(registrations.conferenceId, context.conference.id), eq(registrations.userId, viewer.id)));
  let waitlistPosition: number | null = null;
  if (registration?.status === "waitlisted") {
    // Compared in SQL: a timestamp read into JavaScript loses its microseconds.
    const rows = await database().rows<{ n: number }>(sql`
      select count(*)::int as n from ${registrations} w, ${registrations} s
      where s.id = ${registration.id} and w.conference_id = s.conference_id and w.status = 'waitlisted'
        and (w.waitlisted_at, w.id) <= (s.waitlisted_at, s.id)`);
    waitlistPosition = rows[0]?.n ?? null;
  }
  const deadline = changeDeadline(context);
  const { capacity, seatsTaken } = context.settings;
  return {
    context,
    open: registrationOpen(context.conference),
    deadline,
    canChange: new Date() <= deadline,
    registration: registration ?? null,
    waitlistPosition,
    seatsLeft: capacity === null ? null : Math.max(0, capacity - seatsTaken),
  };
}

/** The viewer's seated registration for the current conference, or a 403 saying what to do first. */
export async function requireSeatedRegistration(viewer: Pick<Viewer, "id">, tx = getDb()): Promise<{ context: RegistrationContext; registration: Registration }> {
  const context = await registrationContext(tx);
  const [registration] = await tx
    .select()
    .from(registrations)
    .where(and(eq(registrations.conferenceId, context.conference.id), eq(registrations.userId, viewer.id)));
  if (!registration || !isSeated(registration.status)) {
    throw new ForbiddenError("This is for attendees whose registration is approved. See where yours stands on the registration page.");
  }
  return { context, registration };
}

