import { and, asc, eq, inArray, sql, TransactionRollbackError } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { checkIns, registrations, type CheckInOutcome } from "#db/schema/registration.ts";
import { assertPermission, type Actor } from "../accounts/permissions.ts";
import { CATEGORY_LABELS } from "#app/shared/registration.ts";
import { MAX_SCAN_CODE_LENGTH, MAX_SCANS_PER_REQUEST } from "#app/shared/check-in-queue.ts";
import { badgeToken, verifyBadgeToken } from "./badges.ts";
import { registrationContext } from "./settings.ts";

/**
 * Check-in at the door. Every scan is recorded with the phone's own id for it, so a scan sent twice (a retry after a
 * lost answer, a queue flushed twice) is answered from the record instead of counted again. A badge that was used
 * already, whether a minute ago on this phone or offline on another, is answered "duplicate" and shown as such.
 */

export const ScanSchema = z.object({
  scanId: z.uuid({ error: "Every scan needs its own id." }),
  code: z.string({ error: "Scan or type the code on the badge." }).trim().min(1, "Scan or type the code on the badge.").max(MAX_SCAN_CODE_LENGTH, "That is not a badge code."),
  scannedAt: z.coerce.date({ error: "The time of the scan is not a date." }).optional(),
});
export type Scan = z.output<typeof ScanSchema>;

/** The page's form for one typed code (it works without JavaScript); the scan's id is the server's then. */
export const CheckInFormSchema = z.object({ intent: z.literal("check-in", { error: "Choose what to do." }), code: ScanSchema.shape.code });

/** A phone sends its queue in batches: one request is bounded in work as well as in bytes. */
export const SyncSchema = z.object({
  scans: z
    .array(ScanSchema, { error: "Send the scans as a list." })
    .min(1, "Send at least one scan.")
    .max(MAX_SCANS_PER_REQUEST, `Send at most ${MAX_SCANS_PER_REQUEST} scans at once, and the rest in further requests.`),
});

export type ScanResult = {
  scanId: string;
  outcome: CheckInOutcome;
  /** What the door staff read: who it is, or why not. */
  message: string;
  name: string | null;
  category: string | null;
};

const REFUSALS: Record<string, string> = {
  submitted: "Not approved yet: send them to the registration desk.",
  waitlisted: "On the waitlist, not approved: send them to the registration desk.",
  declined: "Registration declined: do not admit; send them to the registration desk.",
  cancelled: "Registration cancelled: do not admit; send them to the registration desk.",
};

/** Checks in one scan (online or from a phone's queue). */
export async function checkIn(actor: Actor, scan: Scan, options: { offline?: boolean } = {}): Promise<ScanResult> {
  assertPermission(actor, "check-in:attendees");
  try {
    return await recordScan(actor, scan, options.offline ?? false);
  } catch (error) {
    // The same scan arrived twice at once and the other request recorded it first: answer what it recorded.
    if (!(error instanceof TransactionRollbackError)) throw error;
    return recordScan(actor, scan, options.offline ?? false);
  }
}

async function recordScan(actor: Actor, scan: Scan, offline: boolean): Promise<ScanResult> {
  return getDb().transaction(async (tx) => {
    const context = await registrationContext(tx);
    const [seen] = await tx
      .select({ outcome: checkIns.outcome, reason: checkIns.reason, name: users.name, category: registrations.category })
      .from(checkIns)
      .leftJoin(registrations, eq(registrations.id, checkIns.registrationId))
      .leftJoin(users, eq(users.id, registrations.userId))
      .where(eq(checkIns.scanId, scan.scanId));
    if (seen) return { scanId: scan.scanId, outcome: seen.outcome, message: seen.reason ?? "", name: seen.name, category: seen.category ? CATEGORY_LABELS[seen.category] : null };

    const scannedAt = scan.scannedAt ?? new Date();
    const registrationId = verifyBadgeToken(scan.code);
    const [registration] = registrationId
      ? await tx
          .select({ id: registrations.id, status: registrations.status, checkedInAt: registrations.checkedInAt, name: users.name, category: registrations.category })
          .from(registrations)
          .innerJoin(users, eq(users.id, registrations.userId))
          .where(and(eq(registrations.id, registrationId), eq(registrations.conferenceId, context.conference.id)))
          .for("update", { of: registrations })
      : [];

    let outcome: CheckInOutcome;
    let message: string;
    if (!registration) {
      outcome = "refused";
      message = "Not a badge of this conference (forged, mistyped or for another edition): do not admit.";
    } else if (registration.status === "approved") {
      await tx.update(registrations).set({ status: "checked_in", checkedInAt: scannedAt, updatedAt: sql`now()` }).where(eq(registrations.id, registration.id));
      outcome = "checked_in";
      message = `Welcome, ${registration.name}.`;
    } else if (registration.status === "checked_in") {
      outcome = "duplicate";
      message = `Already used: ${registration.name} was checked in at ${registration.checkedInAt?.toISOString().slice(11, 16) ?? "?"} UTC. Check their identity before admitting.`;
    } else {
      outcome = "refused";
      message = REFUSALS[registration.status] ?? "Not admitted.";
    }
    const inserted = await tx
      .insert(checkIns)
      .values({ conferenceId: context.conference.id, registrationId: registration?.id ?? null, scanId: scan.scanId, outcome, reason: message, scannedAt, scannedBy: actor.id, offline })
      .onConflictDoNothing({ target: checkIns.scanId })
      .returning({ id: checkIns.id });
    if (inserted.length === 0) tx.rollback();
    return { scanId: scan.scanId, outcome, message, name: registration?.name ?? null, category: registration ? CATEGORY_LABELS[registration.category] : null };
  });
}

/** A phone's queue of scans made offline, in the order they were made. */
export async function syncScans(actor: Actor, scans: Scan[]): Promise<ScanResult[]> {
  assertPermission(actor, "check-in:attendees");
  const ordered = [...scans].sort((a, b) => (a.scannedAt?.getTime() ?? 0) - (b.scannedAt?.getTime() ?? 0));
  const results: ScanResult[] = [];
  for (const scan of ordered) results.push(await checkIn(actor, scan, { offline: true }));
  return results;
}

export type DoorList = { conference: string; badges: { token: string; name: string; category: string; checkedIn: boolean }[]; counts: { seated: number; checkedIn: number } };

/**
 * What a door phone keeps for working offline: the code of every badge that may enter, with the name to show.
 * Codes are secrets, so this is for check-in staff only.
 */
export async function getDoorList(actor: Actor): Promise<DoorList> {
  assertPermission(actor, "check-in:attendees");
  const context = await registrationContext();
  const rows = await getDb()
    .select({ id: registrations.id, name: users.name, category: registrations.category, status: registrations.status })
    .from(registrations)
    .innerJoin(users, eq(users.id, registrations.userId))
    .where(and(eq(registrations.conferenceId, context.conference.id), inArray(registrations.status, ["approved", "checked_in"])))
    .orderBy(asc(users.name));
  return {
    conference: context.conference.name,
    badges: rows.map((row) => ({ token: badgeToken(row.id), name: row.name, category: CATEGORY_LABELS[row.category], checkedIn: row.status === "checked_in" })),
    counts: { seated: rows.length, checkedIn: rows.filter((row) => row.status === "checked_in").length },
  };
}
