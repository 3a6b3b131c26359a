import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Executor } from "#db/client.ts";
import { conferences, type Conference, type RegistrationState } from "#db/schema/agenda.ts";
import { APPROVAL_MODES, ATTENDEE_CATEGORIES, registrationSettings, type RegistrationSettings } from "#db/schema/registration.ts";
import { assertPermission, type Actor } from "../accounts/permissions.ts";
import { dayOf, startOfDayIn } from "../agenda/time.ts";
import { recordAudit } from "../audit/log.ts";
import { changeContent } from "../content/version.ts";
import { NotFoundError, invalid } from "../errors.ts";
import { fillConferenceWaitlist, lockConferenceLedger } from "./ledger.ts";
import type { Links } from "./mails.ts";

/** A conference with its registration rules: what every registration function starts from. */
export type RegistrationContext = { conference: Conference; settings: RegistrationSettings };

export async function registrationContext(tx: Executor = getDb(), conferenceId?: string): Promise<RegistrationContext> {
  const [row] = await tx
    .select({ conference: conferences, settings: registrationSettings })
    .from(conferences)
    .innerJoin(registrationSettings, eq(registrationSettings.conferenceId, conferences.id))
    .where(conferenceId ? eq(conferences.id, conferenceId) : eq(conferences.current, true));
  if (!row) throw new NotFoundError("No conference has been set up yet.");
  return row;
}

/** Open for new registrations: the organizers opened it and today (at the venue) is within its dates. */
export function registrationOpen(conference: Conference, now = new Date()): boolean {
  if (conference.registrationState !== "open") return false;
  const today = dayOf(now, conference.timeZone);
  return (!conference.registrationOpensOn || today >= conference.registrationOpensOn) && (!conference.registrationClosesOn || today <= conference.registrationClosesOn);
}

/** Until when attendees may edit or cancel: the organizers' deadline, else the start of the first day. */
export function changeDeadline(context: RegistrationContext): Date {
  return context.settings.changeDeadline ?? startOfDayIn(context.conference.startsOn, context.conference.timeZone);
}

const day = z
  .string()
  .trim()
  .default("")
  .refine((value) => value === "" || /^\d{4}-\d{2}-\d{2}$/.test(value), "Enter a date, or leave it empty.")
  .transform((value) => (value === "" ? null : value));

const asList = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

export const SettingsFormSchema = z
  .object({
    state: z.enum(["not_open", "open", "closed"] as const satisfies readonly RegistrationState[], { error: "Choose whether registration is open." }),
    opensOn: day,
    closesOn: day,
    capacity: z
      .string()
      .trim()
      .default("")
      .refine((value) => value === "" || /^\d{1,6}$/.test(value), "Enter a whole number of seats, or leave it empty for no limit.")
      .transform((value) => (value === "" ? null : Number(value)))
      .refine((value) => value === null || value >= 1, "Enter at least 1 seat, or leave it empty for no limit."),
    changeDeadline: z
      .string()
      .trim()
      .default("")
      .refine((value) => value === "" || /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value), "Enter a date and time, or leave it empty.")
      .transform((value) => (value === "" ? null : value)),
    approval: z.enum(APPROVAL_MODES, { error: "Choose how registrations are approved." }),
    membersOnlyCategories: z.preprocess(asList, z.array(z.enum(ATTENDEE_CATEGORIES, { error: "Choose categories from the list." }))),
  })
  .refine((form) => !form.opensOn || !form.closesOn || form.closesOn >= form.opensOn, { path: ["closesOn"], message: "Registration cannot close before it opens." });
export type SettingsForm = z.output<typeof SettingsFormSchema>;

export async function getSettings(actor: Actor): Promise<RegistrationContext> {
  assertPermission(actor, "manage:registrations");
  return registrationContext();
}

/**
 * Saves the rules. A larger capacity gives the new seats to the waitlist at once; a smaller one than the seats
 * already given is refused (nobody loses a seat they were promised). The deadline is wall-clock time at the venue.
 */
export async function saveSettings(actor: Actor & { ip?: string | null }, form: SettingsForm, links: Links): Promise<{ promoted: number }> {
  assertPermission(actor, "manage:registrations");
  // The home page announces the registration dates: they change with the rendered pages' content version.
  return changeContent(async (tx) => {
    const { conference } = await registrationContext(tx);
    const ledger = await lockConferenceLedger(tx, conference.id);
    if (form.capacity !== null && form.capacity < ledger.seatsTaken) {
      throw invalid("capacity", `${ledger.seatsTaken} seats are already given or held by invitations: the capacity cannot be lower.`);
    }
    const deadline = form.changeDeadline ? startOfDayIn(form.changeDeadline.slice(0, 10), conference.timeZone) : null;
    const deadlineAt = deadline && form.changeDeadline ? new Date(deadline.getTime() + minutesOf(form.changeDeadline.slice(11)) * 60_000) : null;
    await tx
      .update(registrationSettings)
      .set({ capacity: form.capacity, changeDeadline: deadlineAt, approval: form.approval, membersOnlyCategories: form.membersOnlyCategories, updatedAt: sql`now()` })
      .where(eq(registrationSettings.conferenceId, conference.id));
    ledger.capacity = form.capacity;
    const promoted = await fillConferenceWaitlist(tx, ledger, links);
    await tx
      .update(conferences)
      .set({ registrationState: form.state, registrationOpensOn: form.opensOn, registrationClosesOn: form.closesOn, updatedAt: sql`now()` })
      .where(eq(conferences.id, conference.id));
    await recordAudit(
      { action: "registration.settings_changed", actorId: actor.id, subjectType: "conference", subjectId: conference.id, ip: actor.ip ?? null, details: { ...form, promoted: promoted.length } },
      tx,
    );
    return { promoted: promoted.length };
  });
}

// Wall-clock minutes since midnight; the day's offset comes from startOfDayIn (a change of offset within the day is ignored).
function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(":").map(Number);
  return hours! * 60 + minutes!;
}

