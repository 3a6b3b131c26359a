import { and, eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { programSessions, sessionStars } from "#db/schema/agenda.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { breakoutSeats, breakoutSignups, registrations, registrationSettings } from "#db/schema/registration.ts";
import { createUser } from "#tests/factories/accounts.ts";
import { createProgramSession, viewerOf } from "#tests/factories/agenda.ts";
import { createRegistration, createRegistrationConference, registrationForm, TEST_LINKS } from "#tests/factories/registration.ts";
import { getSessionForEditor, setSessionCancelled, updateSession, UpdateSessionSchema } from "../agenda/editor.ts";
import { ConflictError, InvalidError } from "../errors.ts";
import { signUpForSession, withdrawFromSession } from "./breakouts.ts";
import { lockSessionLedger } from "./ledger.ts";
import { cancelRegistration, submitRegistration } from "./registrations.ts";
import { runQueuedJobs } from "#tests/support/jobs.ts";
import { programChangeMailsJob } from "#app/.server/agenda/changes.ts";

/*
 * The seat ledgers under load: 200 people at once for the last 50 seats, of the conference and of a session. Run on
 * PGlite and, with TEST_DATABASE_URL, on the Postgres server, where the transactions really run side by side.
 */

const ATTEMPTS = 200;
const LAST_SEATS = 50;

async function users(n: number) {
  return Promise.all(Array.from({ length: n }, (_, i) => createUser({ name: `Burst ${i}`, email: `burst-${i}-${Math.random().toString(36).slice(2)}@agency.example` })));
}

describe("the conference's last seats", () => {
  it(`gives ${LAST_SEATS} seats to ${ATTEMPTS} concurrent registrations exactly once and waitlists the rest`, async () => {
    // 950 of 1000 seats are gone already.
    const conference = await createRegistrationConference({ capacity: 1000, approval: "open", seatsTaken: 1000 - LAST_SEATS });
    const people = await users(ATTEMPTS);
    const results = await Promise.allSettled(people.map((user) => submitRegistration({ id: user.id, email: user.email, roles: ["attendee"] }, registrationForm(), TEST_LINKS)));
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    const statuses = results.map((result) => (result as PromiseFulfilledResult<Awaited<ReturnType<typeof submitRegistration>>>).value.registration.status);
    expect(statuses.filter((status) => status === "approved")).toHaveLength(LAST_SEATS);
    expect(statuses.filter((status) => status === "waitlisted")).toHaveLength(ATTEMPTS - LAST_SEATS);

    const counts = await getDb()
      .select({ status: registrations.status, n: sql<number>`count(*)::int` })
      .from(registrations)
      .where(eq(registrations.conferenceId, conference.id))
      .groupBy(registrations.status);
    expect(Object.fromEntries(counts.map((row) => [row.status, row.n]))).toEqual({ approved: LAST_SEATS, waitlisted: ATTEMPTS - LAST_SEATS });
    const [ledger] = await getDb().select().from(registrationSettings).where(eq(registrationSettings.conferenceId, conference.id));
    expect(ledger!.seatsTaken).toBe(1000);
    // One mail each: a confirmation or a waitlist notice.
    const [mails] = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(mailOutbox)
      .where(inArray(mailOutbox.toAddress, people.map((user) => user.email)));
    expect(mails!.n).toBe(ATTEMPTS);
  });

  it("a double submit (two tabs, a double click) gives one registration", async () => {
    const conference = await createRegistrationConference({ capacity: 10, approval: "open" });
    const [user] = await users(1);
    const registrant = { id: user!.id, email: user!.email, roles: ["attendee" as const] };
    const results = await Promise.all(Array.from({ length: 5 }, () => submitRegistration(registrant, registrationForm(), TEST_LINKS)));
    expect(new Set(results.map((result) => result.registration.id)).size).toBe(1);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    const [ledger] = await getDb().select().from(registrationSettings).where(eq(registrationSettings.conferenceId, conference.id));
    expect(ledger!.seatsTaken).toBe(1);
  });

  it("a cancellation hands its seat to the first on the waitlist in the same transaction, and mails them", async () => {
    const conference = await createRegistrationConference({ capacity: 1, approval: "open" });
    const [first, second, third] = await users(3);
    const as = (user: typeof first) => ({ id: user!.id, email: user!.email, roles: ["attendee" as const] });
    expect((await submitRegistration(as(first), registrationForm(), TEST_LINKS)).registration.status).toBe("approved");
    expect((await submitRegistration(as(second), registrationForm(), TEST_LINKS)).registration.status).toBe("waitlisted");
    expect((await submitRegistration(as(third), registrationForm(), TEST_LINKS)).registration.status).toBe("waitlisted");

    const { promoted } = await cancelRegistration(as(first), TEST_LINKS);
    const rows = await getDb().select({ userId: registrations.userId, status: registrations.status, id: registrations.id }).from(registrations).where(eq(registrations.conferenceId, conference.id));
    const statusOf = (user: typeof first) => rows.find((row) => row.userId === user!.id)!.status;
    expect([statusOf(first), statusOf(second), statusOf(third)]).toEqual(["cancelled", "approved", "waitlisted"]);
    expect(promoted).toEqual([rows.find((row) => row.userId === second!.id)!.id]);
    const mails = await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, second!.email)).orderBy(mailOutbox.id);
    expect(mails.map((mail) => mail.subject)).toEqual([`You are on the waitlist: ${conference.name}`, `You are registered: ${conference.name}`]);
    expect(mails[1]!.attachments.map((file) => file.filename)).toEqual(["conference.ics"]);
    const [ledger] = await getDb().select().from(registrationSettings).where(eq(registrationSettings.conferenceId, conference.id));
    expect(ledger!.seatsTaken).toBe(1);
  });
});

describe("a session's last seats", () => {
  async function setUp(capacity: number) {
    const conference = await createRegistrationConference({ capacity: null, approval: "manual" });
    const session = await createProgramSession({ conferenceId: conference.id, startsAt: "2027-06-08T14:00:00Z", endsAt: "2027-06-08T15:30:00Z", title: "Vendor watchlists", capacity });
    return { conference, session };
  }

  it(`gives ${LAST_SEATS} seats to ${ATTEMPTS} concurrent sign-ups exactly once and waitlists the rest`, async () => {
    const { conference, session } = await setUp(LAST_SEATS);
    const people = await users(ATTEMPTS);
    for (const user of people) await createRegistration(user, conference.id, "approved");
    const viewers = await Promise.all(people.map((user) => viewerOf(user, { mfaVerified: false })));
    const results = await Promise.allSettled(viewers.map((viewer) => signUpForSession(viewer, session.id)));
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    const statuses = results.map((result) => (result as PromiseFulfilledResult<Awaited<ReturnType<typeof signUpForSession>>>).value);
    expect(statuses.filter((result) => result.status === "confirmed")).toHaveLength(LAST_SEATS);
    const waitlisted = statuses.filter((result) => result.status === "waitlisted");
    expect(waitlisted).toHaveLength(ATTEMPTS - LAST_SEATS);
    // Places 1…150, each once.
    expect(waitlisted.map((result) => result.position).sort((a, b) => a! - b!)).toEqual(Array.from({ length: ATTEMPTS - LAST_SEATS }, (_, i) => i + 1));

    const counts = await getDb()
      .select({ status: breakoutSignups.status, n: sql<number>`count(*)::int` })
      .from(breakoutSignups)
      .where(eq(breakoutSignups.sessionId, session.id))
      .groupBy(breakoutSignups.status);
    expect(Object.fromEntries(counts.map((row) => [row.status, row.n]))).toEqual({ confirmed: LAST_SEATS, waitlisted: ATTEMPTS - LAST_SEATS });
    const [ledger] = await getDb().select().from(breakoutSeats).where(eq(breakoutSeats.sessionId, session.id));
    expect(ledger!.seatsTaken).toBe(LAST_SEATS);
  });

  it("withdrawing promotes the first on the session's waitlist, first come first served, and mails them", async () => {
    const { conference, session } = await setUp(1);
    const people = await users(3);
    for (const user of people) await createRegistration(user, conference.id, "approved");
    const [a, b, c] = await Promise.all(people.map((user) => viewerOf(user, { mfaVerified: false })));
    expect((await signUpForSession(a!, session.id)).status).toBe("confirmed");
    expect(await signUpForSession(b!, session.id)).toEqual({ status: "waitlisted", position: 1 });
    expect(await signUpForSession(c!, session.id)).toEqual({ status: "waitlisted", position: 2 });
    // Signing up again says where one stands and changes nothing.
    expect(await signUpForSession(c!, session.id)).toEqual({ status: "waitlisted", position: 2 });

    await withdrawFromSession(a!, session.id, TEST_LINKS);
    const rows = await getDb().select({ userId: breakoutSignups.userId, status: breakoutSignups.status }).from(breakoutSignups).where(eq(breakoutSignups.sessionId, session.id));
    expect(Object.fromEntries(rows.map((row) => [row.userId, row.status]))).toEqual({ [a!.id]: "cancelled", [b!.id]: "confirmed", [c!.id]: "waitlisted" });
    const mails = await getDb().select({ subject: mailOutbox.subject }).from(mailOutbox).where(eq(mailOutbox.toAddress, b!.email)).orderBy(mailOutbox.id);
    expect(mails).toEqual([{ subject: "A seat is yours: Vendor watchlists" }]);
    const [ledger] = await getDb().select().from(breakoutSeats).where(eq(breakoutSeats.sessionId, session.id));
    expect(ledger!.seatsTaken).toBe(1);
  });

  it("refuses a session that overlaps one the attendee holds, even when both are tried at once", async () => {
    const { conference, session } = await setUp(10);
    const overlapping = await createProgramSession({ conferenceId: conference.id, startsAt: "2027-06-08T15:00:00Z", endsAt: "2027-06-08T16:00:00Z", title: "Parcel profiling", capacity: 10 });
    const [user] = await users(1);
    await createRegistration(user!, conference.id, "approved");
    const viewer = await viewerOf(user!, { mfaVerified: false });

    const both = await Promise.allSettled([signUpForSession(viewer, session.id), signUpForSession(viewer, overlapping.id)]);
    expect(both.map((result) => result.status).sort()).toEqual(["fulfilled", "rejected"]);
    const refusal = both.find((result) => result.status === "rejected") as PromiseRejectedResult;
    expect(refusal.reason).toBeInstanceOf(ConflictError);
    expect((refusal.reason as ConflictError).publicMessage).toMatch(/^This session overlaps "(Vendor watchlists|Parcel profiling)", which you signed up for/);
    const held = await getDb().select({ sessionId: breakoutSignups.sessionId }).from(breakoutSignups).where(and(eq(breakoutSignups.userId, viewer.id), eq(breakoutSignups.status, "confirmed")));
    expect(held).toHaveLength(1);
  });

  it("lets sessions that only touch (one ends as the next starts) be held together", async () => {
    const { conference, session } = await setUp(10);
    const next = await createProgramSession({ conferenceId: conference.id, startsAt: "2027-06-08T15:30:00Z", endsAt: "2027-06-08T16:30:00Z", title: "Right after", capacity: 10 });
    const [user] = await users(1);
    await createRegistration(user!, conference.id, "approved");
    const viewer = await viewerOf(user!, { mfaVerified: false });
    expect((await signUpForSession(viewer, session.id)).status).toBe("confirmed");
    expect((await signUpForSession(viewer, next.id)).status).toBe("confirmed");
  });

  it("is only for attendees with a seat at the conference", async () => {
    const { conference, session } = await setUp(10);
    const [user] = await users(1);
    await createRegistration(user!, conference.id, "submitted");
    await expect(signUpForSession(await viewerOf(user!, { mfaVerified: false }), session.id)).rejects.toMatchObject({ status: 403 });
  });
});

describe("the program editor and a session's sign-ups", () => {
  const origin = { ip: "127.0.0.1", ...TEST_LINKS };

  /** A session of `capacity` seats, and people signed up one after another: the first `capacity` get seats, the rest wait. */
  async function signedUp(capacity: number, people: number) {
    const conference = await createRegistrationConference({ capacity: null, approval: "manual" });
    const session = await createProgramSession({ conferenceId: conference.id, startsAt: "2027-06-08T14:00:00Z", endsAt: "2027-06-08T15:30:00Z", title: "Vendor watchlists", capacity });
    const organizer = await viewerOf(await createUser({ roles: ["organizer"] }));
    const viewers = [];
    for (const user of await users(people)) {
      await createRegistration(user, conference.id, "approved");
      const viewer = await viewerOf(user, { mfaVerified: false });
      await signUpForSession(viewer, session.id);
      viewers.push(viewer);
    }
    return { conference, session, organizer, viewers };
  }

  async function setCapacity(organizer: Awaited<ReturnType<typeof viewerOf>>, sessionId: string, capacity: string) {
    const current = await getSessionForEditor(organizer, sessionId);
    await updateSession(organizer, sessionId, UpdateSessionSchema.parse({ ...current.values, capacity, version: current.version }), origin);
  }

  async function statuses(sessionId: string) {
    const rows = await getDb().select({ userId: breakoutSignups.userId, status: breakoutSignups.status }).from(breakoutSignups).where(eq(breakoutSignups.sessionId, sessionId));
    return new Map(rows.map((row) => [row.userId, row.status]));
  }

  async function seatsTaken(sessionId: string) {
    const [ledger] = await getDb().select().from(breakoutSeats).where(eq(breakoutSeats.sessionId, sessionId));
    return ledger!.seatsTaken;
  }

  /** A person's mails, once the queued program-change jobs have run. */
  async function subjectsTo(email: string) {
    await runQueuedJobs(programChangeMailsJob);
    return getDb().select({ subject: mailOutbox.subject, text: mailOutbox.textBody }).from(mailOutbox).where(eq(mailOutbox.toAddress, email)).orderBy(mailOutbox.id);
  }

  it("raising the capacity from 10 to 12 gives the 2 new seats to the first 2 waiting, in order, and mails each of them once", async () => {
    const { session, organizer, viewers } = await signedUp(10, 15);
    await setCapacity(organizer, session.id, "12");
    const now = await statuses(session.id);
    expect(viewers.map((viewer) => now.get(viewer.id))).toEqual([...Array<string>(12).fill("confirmed"), "waitlisted", "waitlisted", "waitlisted"]);
    expect(await seatsTaken(session.id)).toBe(12);
    for (const viewer of viewers.slice(10, 12)) expect((await subjectsTo(viewer.email)).map((mail) => mail.subject)).toEqual(["A seat is yours: Vendor watchlists"]);
    for (const viewer of [...viewers.slice(0, 10), ...viewers.slice(12)]) expect(await subjectsTo(viewer.email)).toEqual([]);
    // The next in line is now first.
    expect(await signUpForSession(viewers[12]!, session.id)).toEqual({ status: "waitlisted", position: 1 });
  });

  it("removing the capacity gives everyone waiting a seat", async () => {
    const { session, organizer, viewers } = await signedUp(2, 5);
    await setCapacity(organizer, session.id, "");
    const now = await statuses(session.id);
    expect(viewers.map((viewer) => now.get(viewer.id))).toEqual(Array(5).fill("confirmed"));
    expect(await seatsTaken(session.id)).toBe(5);
    for (const viewer of viewers.slice(2)) expect((await subjectsTo(viewer.email)).map((mail) => mail.subject)).toEqual(["A seat is yours: Vendor watchlists"]);
  });

  it("refuses a capacity below the seats already confirmed, naming how many, and changes nothing", async () => {
    const { conference, session, organizer, viewers } = await signedUp(10, 5);
    const [before] = await getDb().select().from(programSessions).where(eq(programSessions.id, session.id));
    const error = await setCapacity(organizer, session.id, "4").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as InvalidError).fieldErrors).toEqual({ capacity: ["5 people have a confirmed seat in this session: enter at least 5 seats. Nobody loses a seat they were given."] });
    const [after] = await getDb().select().from(programSessions).where(eq(programSessions.id, session.id));
    expect(after).toEqual(before);
    expect([...(await statuses(session.id)).values()]).toEqual(Array(5).fill("confirmed"));
    expect(await seatsTaken(session.id)).toBe(5);
    for (const viewer of viewers) expect(await subjectsTo(viewer.email)).toEqual([]);
    // Down to exactly the seats taken is fine: the session is full.
    await setCapacity(organizer, session.id, "5");
    const [next] = await users(1);
    await createRegistration(next!, conference.id, "approved");
    expect(await signUpForSession(await viewerOf(next!, { mfaVerified: false }), session.id)).toEqual({ status: "waitlisted", position: 1 });
  });

  it("cancelling the session ends its sign-ups and waitlist and tells each person once; reinstating does not bring them back", async () => {
    const { session, organizer, viewers } = await signedUp(1, 2);
    const [seated, waiting] = viewers;
    const [follower] = await users(1);
    // The seated one starred it too: they get the sign-up mail, not the starred one as well.
    await getDb().insert(sessionStars).values([{ userId: seated!.id, sessionId: session.id }, { userId: follower!.id, sessionId: session.id }]);

    await setSessionCancelled(organizer, session.id, true, origin);
    const now = await statuses(session.id);
    expect([now.get(seated!.id), now.get(waiting!.id)]).toEqual(["cancelled", "cancelled"]);
    expect(await seatsTaken(session.id)).toBe(0);
    const seatedMails = await subjectsTo(seated!.email);
    expect(seatedMails.map((mail) => mail.subject)).toEqual(["Cancelled: Vendor watchlists"]);
    expect(seatedMails[0]!.text).toContain("your seat in it is released");
    const waitingMails = await subjectsTo(waiting!.email);
    expect(waitingMails.map((mail) => mail.subject)).toEqual(["Cancelled: Vendor watchlists"]);
    expect(waitingMails[0]!.text).toContain("your place on its waitlist is released");
    expect((await subjectsTo(follower!.email)).map((mail) => mail.subject)).toEqual(['Program change: "Vendor watchlists" is cancelled']);
    await expect(signUpForSession(waiting!, session.id)).rejects.toBeInstanceOf(ConflictError);

    await setSessionCancelled(organizer, session.id, false, origin);
    const reinstated = await statuses(session.id);
    expect([reinstated.get(seated!.id), reinstated.get(waiting!.id)]).toEqual(["cancelled", "cancelled"]);
    expect(await seatsTaken(session.id)).toBe(0);
    expect(await signUpForSession(waiting!, session.id)).toEqual({ status: "confirmed", position: null });
  });

  it("a capacity raise amid a burst of sign-ups never gives more seats than there are, and the ledger counts the confirmed rows", async () => {
    const { conference, session, organizer, viewers } = await signedUp(10, 15);
    const latecomers = await users(40);
    for (const user of latecomers) await createRegistration(user, conference.id, "approved");
    const late = await Promise.all(latecomers.map((user) => viewerOf(user, { mfaVerified: false })));
    const results = await Promise.allSettled([setCapacity(organizer, session.id, "12"), ...late.map((viewer) => signUpForSession(viewer, session.id))]);
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);

    const [confirmed] = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(breakoutSignups)
      .where(and(eq(breakoutSignups.sessionId, session.id), eq(breakoutSignups.status, "confirmed")));
    expect(confirmed!.n).toBe(12);
    expect(await seatsTaken(session.id)).toBe(12);
    // The two seats went to the two who had waited longest, not to a latecomer.
    const now = await statuses(session.id);
    expect([now.get(viewers[10]!.id), now.get(viewers[11]!.id), now.get(viewers[12]!.id)]).toEqual(["confirmed", "confirmed", "waitlisted"]);
    expect(late.filter((viewer) => now.get(viewer.id) === "confirmed")).toEqual([]);
  });

  it("a capacity lowered amid a burst of sign-ups is either saved with nobody over it or refused, and a cancellation amid one leaves no sign-up standing", async () => {
    const { conference, session, organizer } = await signedUp(14, 10);
    const other = await createProgramSession({ conferenceId: conference.id, startsAt: "2027-06-09T14:00:00Z", endsAt: "2027-06-09T15:30:00Z", title: "Parcel profiling", capacity: 5 });
    const latecomers = await users(30);
    for (const user of latecomers) await createRegistration(user, conference.id, "approved");
    const late = await Promise.all(latecomers.map((user) => viewerOf(user, { mfaVerified: false })));

    const lowered = await Promise.allSettled([setCapacity(organizer, session.id, "11"), ...late.slice(0, 15).map((viewer) => signUpForSession(viewer, session.id))]);
    const refusals = lowered.filter((result) => result.status === "rejected").map((result) => (result as PromiseRejectedResult).reason as unknown);
    expect(refusals.every((reason) => reason instanceof InvalidError)).toBe(true);
    const [row] = await getDb().select({ capacity: programSessions.capacity }).from(programSessions).where(eq(programSessions.id, session.id));
    const seated = [...(await statuses(session.id)).values()].filter((status) => status === "confirmed").length;
    expect(seated).toBe(await seatsTaken(session.id));
    expect(seated).toBeLessThanOrEqual(row!.capacity!);
    expect(row!.capacity).toBe(refusals.length > 0 ? 14 : 11);

    const cancelled = await Promise.allSettled([setSessionCancelled(organizer, other.id, true, origin), ...late.slice(15).map((viewer) => signUpForSession(viewer, other.id))]);
    const cancelRefusals = cancelled.filter((result) => result.status === "rejected").map((result) => (result as PromiseRejectedResult).reason as unknown);
    expect(cancelRefusals.every((reason) => reason instanceof ConflictError)).toBe(true);
    expect([...(await statuses(other.id)).values()].filter((status) => status !== "cancelled")).toEqual([]);
    expect(await seatsTaken(other.id)).toBe(0);
  });

  it("a sign-up that waited for the ledger counts against the capacity committed while it waited", async () => {
    const { conference, session } = await signedUp(12, 10);
    const [user] = await users(1);
    await createRegistration(user!, conference.id, "approved");
    const viewer = await viewerOf(user!, { mfaVerified: false });
    let waiting: ReturnType<typeof signUpForSession> | undefined;
    // What the editor does when it lowers 12 seats to 10: lock the ledger, then write the capacity, then commit.
    await getDb().transaction(async (tx) => {
      await lockSessionLedger(tx, session.id);
      await tx.update(programSessions).set({ capacity: 10 }).where(eq(programSessions.id, session.id));
      waiting = signUpForSession(viewer, session.id);
      // On the Postgres server the sign-up is now blocked on the ledger; PGlite runs it after this commit anyway.
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect(await waiting).toEqual({ status: "waitlisted", position: 1 });
    expect(await seatsTaken(session.id)).toBe(10);
  });
});
