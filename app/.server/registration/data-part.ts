import { asc, eq } from "drizzle-orm";
import { conferences, programSessions } from "#db/schema/agenda.ts";
import { breakoutSignups, checkIns, registrationInvitations, registrations } from "#db/schema/registration.ts";
import { dataPart } from "../data-rights/part.ts";
import { lockConferenceLedger } from "./ledger.ts";
import { cancelSignupsOf, withdrawRegistration } from "./registrations.ts";

/** The states a deleted account gives up: anything still waiting for, or holding, a seat. */
const OPEN_STATUSES = ["submitted", "approved", "waitlisted", "checked_in"] as const;

/**
 * Registrations with their answers and state, breakout sign-ups and scans at the door. Invitations and scans only
 * name the organizer who sent or made them: nothing of the account's, cleared with it.
 */
export const registrationDataPart = dataPart({
  name: "registration",
  tables: [registrations, registrationInvitations, breakoutSignups, checkIns],
  async export(tx, userId) {
    const rows = await tx
      .select({
        id: registrations.id,
        conference: conferences.name,
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
        waitlistedAt: registrations.waitlistedAt,
        decisionReason: registrations.decisionReason,
        decidedAt: registrations.decidedAt,
        checkedInAt: registrations.checkedInAt,
        createdAt: registrations.createdAt,
        updatedAt: registrations.updatedAt,
      })
      .from(registrations)
      .innerJoin(conferences, eq(conferences.id, registrations.conferenceId))
      .where(eq(registrations.userId, userId))
      .orderBy(asc(registrations.createdAt), asc(registrations.id));
    const signups = await tx
      .select({ registrationId: breakoutSignups.registrationId, session: programSessions.title, startsAt: programSessions.startsAt, status: breakoutSignups.status, createdAt: breakoutSignups.createdAt, updatedAt: breakoutSignups.updatedAt })
      .from(breakoutSignups)
      .innerJoin(programSessions, eq(programSessions.id, breakoutSignups.sessionId))
      .where(eq(breakoutSignups.userId, userId))
      .orderBy(asc(programSessions.startsAt), asc(breakoutSignups.id));
    const scans = await tx
      .select({ registrationId: checkIns.registrationId, outcome: checkIns.outcome, reason: checkIns.reason, scannedAt: checkIns.scannedAt })
      .from(checkIns)
      .innerJoin(registrations, eq(registrations.id, checkIns.registrationId))
      .where(eq(registrations.userId, userId))
      .orderBy(asc(checkIns.id));
    return {
      registration: rows.map((row) => ({
        ...row,
        breakoutSignups: signups.filter((signup) => signup.registrationId === row.id).map(({ registrationId: _, ...signup }) => signup),
        checkIns: scans.filter((scan) => scan.registrationId === row.id).map(({ registrationId: _, ...scan }) => scan),
      })),
    };
  },
  /**
   * The cascade would drop the rows and leave their seats counted: cancel them first, through the attendee's own
   * cancellation, so seats are released and the waitlists promoted (with their mail) in the deletion's transaction.
   * No deadline applies: an account can always be deleted.
   */
  async erase(tx, userId, { links }) {
    // Ledgers in conference order, each before its registration rows, as everywhere else.
    const held = await tx
      .select({ id: registrations.id, conferenceId: registrations.conferenceId })
      .from(registrations)
      .where(eq(registrations.userId, userId))
      .orderBy(asc(registrations.conferenceId));
    for (const { id, conferenceId } of held) {
      const ledger = await lockConferenceLedger(tx, conferenceId);
      const [registration] = await tx.select({ id: registrations.id, status: registrations.status }).from(registrations).where(eq(registrations.id, id)).for("update");
      if (!registration) continue;
      if ((OPEN_STATUSES as readonly string[]).includes(registration.status)) await withdrawRegistration(tx, ledger, registration, links);
      // A closed registration gave up its sign-ups already; any left would otherwise keep their seats.
      else await cancelSignupsOf(tx, registration.id, links);
    }
  },
});
