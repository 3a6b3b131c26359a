import { and, asc, count, desc, eq, ilike, inArray, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { ATTENDEE_CATEGORIES, registrationInvitations, registrations, REGISTRATION_STATUSES, type RegistrationStatus } from "#db/schema/registration.ts";
import { assertPermission, type Actor } from "../accounts/permissions.ts";
import { generateToken, hashToken } from "../accounts/tokens.ts";
import { recordAudit } from "../audit/log.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { cancelSignupsOf, isSeated } from "./registrations.ts";
import { lockConferenceLedger, mailConfirmation, releaseConferenceSeat, takeConferenceSeat } from "./ledger.ts";
import { declinedMail, invitationMail, waitlistedMail, type Links } from "./mails.ts";
import { registrationContext } from "./settings.ts";

/** The organizers' side: who registered, decisions one by one or in bulk, invitations, the CSV export. */

export type Organizer = Actor & { ip?: string | null };

const asList = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

export const DecisionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("approve"), ids: z.preprocess(asList, z.array(z.uuid()).min(1, "Tick at least one registration.").max(500)) }),
    z.object({ intent: z.literal("waitlist"), ids: z.preprocess(asList, z.array(z.uuid()).min(1, "Tick at least one registration.").max(500)) }),
    z.object({
      intent: z.literal("decline"),
      ids: z.preprocess(asList, z.array(z.uuid()).min(1, "Tick at least one registration.").max(500)),
      reason: z.string({ error: "Give a reason: the attendee reads it." }).trim().min(5, "Give a reason of at least 5 characters: the attendee reads it.").max(1000, "Keep the reason to 1000 characters."),
    }),
  ],
  { error: "Choose what to do." },
);
export type Decision = z.output<typeof DecisionSchema>;

export type DecisionOutcome = { approved: number; waitlisted: number; declined: number; unchanged: number };

/**
 * Applies one decision to each registration, under the conference's ledger lock, in one transaction: approving takes
 * a seat or, when none is left, puts the registration on the waitlist; declining or waitlisting an approved
 * registration frees its seat for the head of the waitlist. Each change is audited and mailed.
 */
export async function decide(actor: Organizer, decision: Decision, links: Links): Promise<DecisionOutcome> {
  assertPermission(actor, "manage:registrations");
  return getDb().transaction(async (tx) => {
    const context = await registrationContext(tx);
    const ledger = await lockConferenceLedger(tx, context.conference.id);
    const rows = await tx
      .select({ id: registrations.id, status: registrations.status, email: users.email, name: users.name })
      .from(registrations)
      .innerJoin(users, eq(users.id, registrations.userId))
      .where(and(eq(registrations.conferenceId, context.conference.id), inArray(registrations.id, decision.ids)))
      .orderBy(asc(registrations.createdAt), asc(registrations.id))
      .for("update", { of: registrations });
    if (rows.length === 0) throw new NotFoundError();
    const outcome: DecisionOutcome = { approved: 0, waitlisted: 0, declined: 0, unchanged: 0 };
    let freed = 0;
    for (const row of rows) {
      let next: RegistrationStatus | null = null;
      if (decision.intent === "approve" && ["submitted", "waitlisted", "declined"].includes(row.status)) {
        next = (await takeConferenceSeat(tx, ledger)) ? "approved" : "waitlisted";
        if (next === row.status) next = null;
      } else if (decision.intent === "waitlist" && ["submitted", "approved", "declined"].includes(row.status)) {
        next = "waitlisted";
      } else if (decision.intent === "decline" && ["submitted", "approved", "waitlisted"].includes(row.status)) {
        next = "declined";
      }
      if (!next) {
        outcome.unchanged += 1;
        continue;
      }
      if (isSeated(row.status)) {
        freed += 1;
        await cancelSignupsOf(tx, row.id, links);
      }
      await tx
        .update(registrations)
        .set({
          status: next,
          waitlistedAt: next === "waitlisted" ? sql`clock_timestamp()` : null,
          decisionReason: next === "declined" && decision.intent === "decline" ? decision.reason : null,
          decidedBy: actor.id,
          decidedAt: sql`now()`,
          updatedAt: sql`now()`,
        })
        .where(eq(registrations.id, row.id));
      const action = next === "approved" ? "registration.approved" : next === "waitlisted" ? "registration.waitlisted" : "registration.declined";
      await recordAudit(
        { action, actorId: actor.id, subjectType: "registration", subjectId: row.id, ip: actor.ip ?? null, details: { from: row.status, ...(decision.intent === "decline" ? { reason: decision.reason } : {}) } },
        tx,
      );
      if (next === "approved") await mailConfirmation(tx, row.id, links);
      if (next === "waitlisted") await enqueueMail(waitlistedMail(row.email, row.name, context.conference.name, links), tx);
      if (next === "declined" && decision.intent === "decline") await enqueueMail(declinedMail(row.email, row.name, context.conference.name, decision.reason), tx);
      outcome[next === "approved" ? "approved" : next === "waitlisted" ? "waitlisted" : "declined"] += 1;
    }
    if (freed > 0) await releaseConferenceSeat(tx, ledger, links, freed);
    return outcome;
  });
}

export const FilterSchema = z.object({
  q: z.string().trim().max(200).default(""),
  status: z.union([z.literal(""), z.enum(REGISTRATION_STATUSES)]).default(""),
  category: z.union([z.literal(""), z.enum(ATTENDEE_CATEGORIES)]).default(""),
});
export type Filter = z.output<typeof FilterSchema>;

export function parseFilter(params: URLSearchParams): Filter {
  const parsed = FilterSchema.safeParse(Object.fromEntries(params));
  return parsed.success ? parsed.data : { q: "", status: "", category: "" };
}

function filterCondition(conferenceId: string, filter: Filter): SQL | undefined {
  const pattern = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return and(
    eq(registrations.conferenceId, conferenceId),
    filter.status ? eq(registrations.status, filter.status) : undefined,
    filter.category ? eq(registrations.category, filter.category) : undefined,
    filter.q ? or(ilike(users.name, pattern), ilike(users.email, pattern), ilike(registrations.agency, pattern)) : undefined,
  );
}

const LIST_COLUMNS = {
  id: registrations.id,
  name: users.name,
  email: users.email,
  status: registrations.status,
  category: registrations.category,
  agency: registrations.agency,
  jobTitle: registrations.jobTitle,
  country: registrations.country,
  arrivalOn: registrations.arrivalOn,
  departureOn: registrations.departureOn,
  dietaryNeeds: registrations.dietaryNeeds,
  accessibilityNeeds: registrations.accessibilityNeeds,
  directoryConsent: registrations.directoryConsent,
  decisionReason: registrations.decisionReason,
  createdAt: registrations.createdAt,
  checkedInAt: registrations.checkedInAt,
};

export const PAGE_SIZE = 200;

/** The dashboard: counts by state, category, agency and country, the filtered list, the invitations. */
export async function getRegistrationsDashboard(actor: Actor, filter: Filter) {
  assertPermission(actor, "manage:registrations");
  const db = getDb();
  const context = await registrationContext(db);
  const conferenceId = context.conference.id;
  const n = count();
  const by = <C extends typeof registrations.status | typeof registrations.category | typeof registrations.agency | typeof registrations.country>(column: C) =>
    db.select({ key: column, n }).from(registrations).where(eq(registrations.conferenceId, conferenceId)).groupBy(column).orderBy(desc(n), asc(column));
  const [byStatus, byCategory, byAgency, byCountry, list, matching, invitations] = await Promise.all([
    by(registrations.status),
    by(registrations.category),
    by(registrations.agency).limit(20),
    by(registrations.country).limit(20),
    db.select(LIST_COLUMNS).from(registrations).innerJoin(users, eq(users.id, registrations.userId)).where(filterCondition(conferenceId, filter)).orderBy(asc(registrations.createdAt), asc(registrations.id)).limit(PAGE_SIZE),
    db.select({ n }).from(registrations).innerJoin(users, eq(users.id, registrations.userId)).where(filterCondition(conferenceId, filter)),
    db
      .select({ id: registrationInvitations.id, email: registrationInvitations.email, status: registrationInvitations.status, createdAt: registrationInvitations.createdAt })
      .from(registrationInvitations)
      .where(eq(registrationInvitations.conferenceId, conferenceId))
      .orderBy(desc(registrationInvitations.createdAt))
      .limit(100),
  ]);
  return { context, byStatus, byCategory, byAgency, byCountry, list, matching: matching[0]?.n ?? 0, invitations };
}

/** A cell a spreadsheet will not run: text starting = + - @ (or tab, carriage return) gets a leading apostrophe. */
export function csvCell(value: string | number | boolean | Date | null): string {
  let text = value === null ? "" : value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const CSV_HEADER = ["name", "email", "status", "category", "agency", "job title", "country", "arrival", "departure", "dietary needs", "accessibility needs", "directory consent", "registered at", "checked in at"];

/** Every registration matching the filter, as CSV (RFC 4180, CRLF). */
export async function exportRegistrationsCsv(actor: Actor, filter: Filter): Promise<string> {
  assertPermission(actor, "manage:registrations");
  const context = await registrationContext();
  const rows = await getDb()
    .select(LIST_COLUMNS)
    .from(registrations)
    .innerJoin(users, eq(users.id, registrations.userId))
    .where(filterCondition(context.conference.id, filter))
    .orderBy(asc(registrations.createdAt), asc(registrations.id));
  const lines = [CSV_HEADER.map(csvCell).join(",")];
  for (const r of rows) {
    lines.push(
      [r.name, r.email, r.status, r.category, r.agency, r.jobTitle, r.country, r.arrivalOn, r.departureOn, r.dietaryNeeds, r.accessibilityNeeds, r.directoryConsent ? "yes" : "no", r.createdAt, r.checkedInAt]
        .map(csvCell)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}

export const InvitationSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("invite"), email: z.email({ error: "Enter the address to invite." }).trim().max(254, "Keep the address to 254 characters.") }),
    z.object({ intent: z.literal("revoke-invitation"), invitationId: z.uuid({ error: "Choose an invitation from the list." }) }),
  ],
  { error: "Choose what to do." },
);

/** Invites an address: takes a seat for the invitation (refused when none is left) and mails the link. */
export async function invite(actor: Organizer, email: string, links: Links): Promise<void> {
  assertPermission(actor, "manage:registrations");
  await getDb().transaction(async (tx) => {
    const context = await registrationContext(tx);
    const ledger = await lockConferenceLedger(tx, context.conference.id);
    const [pending] = await tx
      .select({ id: registrationInvitations.id })
      .from(registrationInvitations)
      .where(and(eq(registrationInvitations.conferenceId, context.conference.id), eq(registrationInvitations.status, "pending"), sql`lower(${registrationInvitations.email}) = lower(${email})`));
    if (pending) throw new ConflictError(`${email} already has an invitation waiting.`);
    if (!(await takeConferenceSeat(tx, ledger))) throw new ConflictError("Every seat is taken: raise the capacity in the settings before inviting more people.");
    const token = generateToken();
    const [row] = await tx
      .insert(registrationInvitations)
      .values({ conferenceId: context.conference.id, email, tokenHash: hashToken(token), invitedBy: actor.id })
      .returning({ id: registrationInvitations.id });
    await recordAudit({ action: "registration.invited", actorId: actor.id, subjectType: "registration_invitation", subjectId: row!.id, ip: actor.ip ?? null, details: { email } }, tx);
    await enqueueMail(invitationMail(email, context.conference, token, links), tx);
  });
}

/** Revokes a pending invitation; its seat goes to the head of the waitlist. */
export async function revokeInvitation(actor: Organizer, invitationId: string, links: Links): Promise<void> {
  assertPermission(actor, "manage:registrations");
  await getDb().transaction(async (tx) => {
    const context = await registrationContext(tx);
    const ledger = await lockConferenceLedger(tx, context.conference.id);
    const [row] = await tx
      .update(registrationInvitations)
      .set({ status: "revoked" })
      .where(and(eq(registrationInvitations.id, invitationId), eq(registrationInvitations.conferenceId, context.conference.id), eq(registrationInvitations.status, "pending")))
      .returning({ email: registrationInvitations.email });
    if (!row) throw new ConflictError("This invitation is not pending any more.");
    await recordAudit({ action: "registration.invitation_revoked", actorId: actor.id, subjectType: "registration_invitation", subjectId: invitationId, ip: actor.ip ?? null, details: { email: row.email } }, tx);
    await releaseConferenceSeat(tx, ledger, links);
  });
}
