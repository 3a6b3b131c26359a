import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Transaction } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { conferences, programSessions } from "#db/schema/agenda.ts";
import { breakoutSeats, breakoutSignups, registrations, registrationSettings, type RegistrationSettings } from "#db/schema/registration.ts";
import { NotFoundError } from "../errors.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { confirmationMail, signupPromotedMail, signupSessionCancelledMail, type Links } from "./mails.ts";

/**
 * The seat ledgers. A conference's seats are counted on its registration_settings row, a session's on its
 * breakout_seats row. Whoever gives or frees a seat first locks that row (SELECT … FOR UPDATE) and changes the count
 * in the same transaction as the registration or sign-up, so two requests can never both take the last seat; the
 * count and the rows it counts cannot drift apart because both only change under the lock.
 *
 * Lock order, to keep clear of deadlocks: a conference's ledger, then registrations, then sessions' ledgers (in id
 * order when there are several). Sign-up rows of a session are written only under that session's ledger lock. The
 * program editor locks the session's row (FOR NO KEY UPDATE, which a sign-up's reference to it does not wait for) and
 * then its ledger; the program import locks the rows of the sessions whose sign-ups it changes, in id order, then their
 * ledgers in id order.
 */

export type ConferenceLedger = RegistrationSettings;

export async function lockConferenceLedger(tx: Transaction, conferenceId: string): Promise<ConferenceLedger> {
  const [row] = await tx.select().from(registrationSettings).where(eq(registrationSettings.conferenceId, conferenceId)).for("update");
  if (!row) throw new NotFoundError();
  return row;
}

const hasRoom = (ledger: { capacity: number | null; seatsTaken: number }) => ledger.capacity === null || ledger.seatsTaken < ledger.capacity;

/** Takes one seat of a locked ledger if one is free; the caller then gives it to a registration or invitation. */
export async function takeConferenceSeat(tx: Transaction, ledger: ConferenceLedger): Promise<boolean> {
  if (!hasRoom(ledger)) return false;
  ledger.seatsTaken += 1;
  await tx.update(registrationSettings).set({ seatsTaken: ledger.seatsTaken }).where(eq(registrationSettings.conferenceId, ledger.conferenceId));
  return true;
}

/**
 * Gives back one seat of a locked ledger and hands free seats to the waitlist, first come first served, in the same
 * transaction. Each promoted person gets the confirmation mail through the job queue. Returns who was promoted.
 */
export async function releaseConferenceSeat(tx: Transaction, ledger: ConferenceLedger, links: Links, count = 1): Promise<string[]> {
  ledger.seatsTaken -= count;
  return fillConferenceWaitlist(tx, ledger, links);
}

/** Moves people from the waitlist onto free seats of a locked ledger (after a release or a larger capacity). */
export async function fillConferenceWaitlist(tx: Transaction, ledger: ConferenceLedger, links: Links): Promise<string[]> {
  const free = ledger.capacity === null ? null : Math.max(0, ledger.capacity - ledger.seatsTaken);
  const promoted: string[] = [];
  if (free !== 0) {
    const heads = await tx
      .select({ id: registrations.id })
      .from(registrations)
      .where(and(eq(registrations.conferenceId, ledger.conferenceId), eq(registrations.status, "waitlisted")))
      .orderBy(asc(registrations.waitlistedAt), asc(registrations.id))
      .limit(free ?? 1_000_000);
    for (const head of heads) {
      await tx
        .update(registrations)
        .set({ status: "approved", waitlistedAt: null, decidedAt: sql`now()`, updatedAt: sql`now()` })
        .where(eq(registrations.id, head.id));
      promoted.push(head.id);
    }
    ledger.seatsTaken += promoted.length;
  }
  await tx.update(registrationSettings).set({ seatsTaken: ledger.seatsTaken }).where(eq(registrationSettings.conferenceId, ledger.conferenceId));
  for (const id of promoted) await mailConfirmation(tx, id, links);
  return promoted;
}

/** The confirmation mail, with the conference as an .ics attachment. */
export async function mailConfirmation(tx: Transaction, registrationId: string, links: Links): Promise<void> {
  const [row] = await tx
    .select({ email: users.email, name: users.name, conference: conferences })
    .from(registrations)
    .innerJoin(users, eq(users.id, registrations.userId))
    .innerJoin(conferences, eq(conferences.id, registrations.conferenceId))
    .where(eq(registrations.id, registrationId));
  if (row) await enqueueMail(confirmationMail(row.email, row.name, row.conference, links), tx);
}

export type SessionLedger = { sessionId: string; seatsTaken: number; capacity: number | null; cancelled: boolean };

/**
 * Locks a session's ledger, then reads the session's capacity and status in a second statement: a statement that
 * waited for the lock sees what the transaction that held it committed (a new capacity, a cancellation), where a join
 * locked in one statement would still show the session as it was before the wait.
 */
export async function lockSessionLedger(tx: Transaction, sessionId: string): Promise<SessionLedger> {
  const [seats] = await tx.select({ seatsTaken: breakoutSeats.seatsTaken }).from(breakoutSeats).where(eq(breakoutSeats.sessionId, sessionId)).for("update");
  const [session] = await tx.select({ capacity: programSessions.capacity, status: programSessions.status }).from(programSessions).where(eq(programSessions.id, sessionId));
  if (!seats || !session) throw new NotFoundError();
  return { sessionId, seatsTaken: seats.seatsTaken, capacity: session.capacity, cancelled: session.status === "cancelled" };
}

export async function takeSessionSeat(tx: Transaction, ledger: SessionLedger): Promise<boolean> {
  if (!hasRoom(ledger)) return false;
  ledger.seatsTaken += 1;
  await tx.update(breakoutSeats).set({ seatsTaken: ledger.seatsTaken }).where(eq(breakoutSeats.sessionId, ledger.sessionId));
  return true;
}

/** Gives back a session seat and promotes the head of its waitlist, if any, in the same transaction. */
export async function releaseSessionSeat(tx: Transaction, ledger: SessionLedger, links: Links): Promise<string | null> {
  ledger.seatsTaken -= 1;
  const [promoted] = await fillSessionWaitlist(tx, ledger, links, 1);
  return promoted ?? null;
}

/**
 * Moves people from a session's waitlist onto the free seats of its locked ledger, first come first served (after a
 * release, a larger capacity or none), at most `limit` of them. Each gets the promotion mail through the job queue.
 * Returns the promoted sign-ups in waitlist order.
 */
export async function fillSessionWaitlist(tx: Transaction, ledger: SessionLedger, links: Links, limit?: number): Promise<string[]> {
  const free = ledger.capacity === null ? Infinity : Math.max(0, ledger.capacity - ledger.seatsTaken);
  const take = Math.min(free, limit ?? Infinity);
  let promoted: string[] = [];
  if (take > 0 && !ledger.cancelled) {
    const heads = await tx
      .select({ id: breakoutSignups.id })
      .from(breakoutSignups)
      .where(and(eq(breakoutSignups.sessionId, ledger.sessionId), eq(breakoutSignups.status, "waitlisted")))
      .orderBy(asc(breakoutSignups.waitlistedAt), asc(breakoutSignups.id))
      .limit(Number.isFinite(take) ? take : 1_000_000);
    promoted = heads.map((head) => head.id);
    if (promoted.length > 0) {
      await tx.update(breakoutSignups).set({ status: "confirmed", waitlistedAt: null, updatedAt: sql`now()` }).where(inArray(breakoutSignups.id, promoted));
      ledger.seatsTaken += promoted.length;
    }
  }
  await tx.update(breakoutSeats).set({ seatsTaken: ledger.seatsTaken }).where(eq(breakoutSeats.sessionId, ledger.sessionId));
  if (promoted.length > 0) {
    const rows = await tx
      .select({ id: breakoutSignups.id, email: users.email, name: users.name, ...sessionSlot })
      .from(breakoutSignups)
      .innerJoin(users, eq(users.id, breakoutSignups.userId))
      .innerJoin(programSessions, eq(programSessions.id, breakoutSignups.sessionId))
      .innerJoin(conferences, eq(conferences.id, programSessions.conferenceId))
      .where(inArray(breakoutSignups.id, promoted));
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const id of promoted) {
      const row = byId.get(id);
      if (row) await enqueueMail(signupPromotedMail(row.email, row.name, row, links), tx);
    }
  }
  return promoted;
}

const sessionSlot = { title: programSessions.title, startsAt: programSessions.startsAt, endsAt: programSessions.endsAt, timeZone: conferences.timeZone };

/**
 * Ends every sign-up and waitlist place of a session being cancelled, under its locked ledger, and tells each person
 * once through the job queue. Returns the people told, so the program's change mail can leave them out.
 */
export async function cancelSessionSignups(tx: Transaction, ledger: SessionLedger, links: Links): Promise<string[]> {
  const rows = await tx
    .select({ id: breakoutSignups.id, userId: breakoutSignups.userId, status: breakoutSignups.status, email: users.email, name: users.name, ...sessionSlot })
    .from(breakoutSignups)
    .innerJoin(users, eq(users.id, breakoutSignups.userId))
    .innerJoin(programSessions, eq(programSessions.id, breakoutSignups.sessionId))
    .innerJoin(conferences, eq(conferences.id, programSessions.conferenceId))
    .where(and(eq(breakoutSignups.sessionId, ledger.sessionId), inArray(breakoutSignups.status, ["confirmed", "waitlisted"])))
    .orderBy(asc(breakoutSignups.createdAt), asc(breakoutSignups.id));
  if (rows.length > 0) {
    await tx.update(breakoutSignups).set({ status: "cancelled", waitlistedAt: null, updatedAt: sql`now()` }).where(inArray(breakoutSignups.id, rows.map((row) => row.id)));
  }
  ledger.seatsTaken = 0;
  ledger.cancelled = true;
  await tx.update(breakoutSeats).set({ seatsTaken: 0 }).where(eq(breakoutSeats.sessionId, ledger.sessionId));
  for (const row of rows) await enqueueMail(signupSessionCancelledMail(row.email, row.name, row, row.status === "confirmed", links), tx);
  return rows.map((row) => row.userId);
}
