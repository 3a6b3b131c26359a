import { and, eq, getTableName, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { database, getDb, observeQueries } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { calendarFeeds, sessionStars } from "#db/schema/agenda.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { breakoutSeats, breakoutSignups, checkIns, registrations, registrationSettings } from "#db/schema/registration.ts";
import { createUser, FACTORY_PASSWORD } from "#tests/factories/accounts.ts";
import { createProgramSession, createSpeaker, viewerOf } from "#tests/factories/agenda.ts";
import { createRegistration, createRegistrationConference, TEST_LINKS } from "#tests/factories/registration.ts";
import { deleteAccount, exportAccount } from "../accounts/profile.ts";
import { signUpForSession } from "../registration/breakouts.ts";
import { DATA_PARTS } from "./registry.ts";

async function ledgerOf(conferenceId: string) {
  const [row] = await getDb().select().from(registrationSettings).where(eq(registrationSettings.conferenceId, conferenceId));
  return row!;
}

async function statusOf(registrationId: string) {
  const [row] = await getDb().select({ status: registrations.status }).from(registrations).where(eq(registrations.id, registrationId));
  return row?.status;
}

async function subjectsTo(address: string) {
  const rows = await getDb().select({ subject: mailOutbox.subject }).from(mailOutbox).where(eq(mailOutbox.toAddress, address)).orderBy(mailOutbox.id);
  return rows.map((row) => row.subject);
}

/** A full conference (2 seats): two approved attendees, then two people waiting, the first in line first. */
async function fullConference() {
  const conference = await createRegistrationConference({ capacity: 2 });
  const leaving = await createUser({ name: "Lee Leaving" });
  const staying = await createUser();
  const first = await createUser({ name: "Fay First" });
  const second = await createUser();
  const registration = await createRegistration(leaving, conference.id, "approved");
  await createRegistration(staying, conference.id, "approved");
  const firstInLine = await createRegistration(first, conference.id, "waitlisted");
  const secondInLine = await createRegistration(second, conference.id, "waitlisted");
  return { conference, leaving, staying, first, second, registration, firstInLine, secondInLine };
}

describe("the data parts", () => {
  it("cover every table that references users(id), each table in one part", async () => {
    const referencing = await database().rows<{ table: string }>(sql`
      select distinct c.conrelid::regclass::text as table from pg_constraint c
      where c.contype = 'f' and c.confrelid = 'public.users'::regclass order by 1`);
    expect(referencing.length).toBeGreaterThan(0);
    const declared = DATA_PARTS.flatMap((part) => part.tables.map((table) => getTableName(table)));
    expect(new Set(declared).size).toBe(declared.length);
    const missing = referencing.map((row) => row.table).filter((table) => !declared.includes(table));
    expect(missing).toEqual([]);
  });
});

describe("the export", () => {
  it("reads every part in one repeatable-read transaction, so the file is one snapshot", async () => {
    const user = await createUser();
    const statements: string[] = [];
    const stop = observeQueries((query) => statements.push(query));
    try {
      await exportAccount(user.id, null);
    } finally {
      stop();
    }
    expect(statements[0]).toMatch(/^set transaction isolation level repeatable read/i);
    expect(statements.filter((query) => /^set transaction/i.test(query))).toHaveLength(1);
  });

  it("holds the registration with its answers, sign-ups and scans, and the agenda's stars, feed and speaker profile", async () => {
    const conference = await createRegistrationConference({ capacity: 10 });
    const user = await createUser({ name: "Ria Registered" });
    const registration = await createRegistration(user, conference.id, "approved", { dietaryNeeds: "No shellfish", jobTitle: "Special Agent" });
    const breakout = await createProgramSession({ conferenceId: conference.id, title: "Tracing wallets", startsAt: "2027-06-08T14:00:00Z", endsAt: "2027-06-08T15:00:00Z", capacity: 5 });
    const keynote = await createProgramSession({ conferenceId: conference.id, title: "Opening keynote", startsAt: "2027-06-07T13:00:00Z", endsAt: "2027-06-07T14:00:00Z" });
    expect(await signUpForSession(await viewerOf(user), breakout.id)).toEqual({ status: "confirmed", position: null });
    await getDb().insert(sessionStars).values([{ userId: user.id, sessionId: keynote.id }, { userId: user.id, sessionId: breakout.id }]);
    await getDb().insert(calendarFeeds).values({ userId: user.id, tokenHash: "FEED-TOKEN-HASH" });
    await createSpeaker({ name: "Ria Registered", user });
    await getDb()
      .insert(checkIns)
      .values({ conferenceId: conference.id, registrationId: registration.id, scanId: crypto.randomUUID(), outcome: "checked_in", scannedAt: new Date("2027-06-07T12:00:00Z") });

    const exported = await exportAccount(user.id, null);
    expect(exported.registration).toHaveLength(1);
    expect(exported.registration[0]).toMatchObject({
      id: registration.id,
      conference: conference.name,
      status: "approved",
      jobTitle: "Special Agent",
      dietaryNeeds: "No shellfish",
      breakoutSignups: [{ session: "Tracing wallets", status: "confirmed" }],
      checkIns: [{ outcome: "checked_in", scannedAt: new Date("2027-06-07T12:00:00Z") }],
    });
    expect(exported.agenda.stars.map((star) => star.session)).toEqual(["Opening keynote", "Tracing wallets"]);
    expect(exported.agenda.calendarFeed).toMatchObject({ exists: true, lastUsedAt: null });
    expect(exported.agenda.speakerProfiles).toMatchObject([{ name: "Ria Registered" }]);
    expect(JSON.stringify(exported)).not.toContain("FEED-TOKEN-HASH");
  });
});

describe("deleting an attendee's account", () => {
  it("frees their seats and promotes the first in line, for the conference and for a full session, with the mail", async () => {
    const { conference, leaving, staying, first, second, firstInLine, secondInLine } = await fullConference();
    const session = await createProgramSession({ conferenceId: conference.id, title: "Seized servers", startsAt: "2027-06-08T14:00:00Z", endsAt: "2027-06-08T15:00:00Z", capacity: 1 });
    expect(await signUpForSession(await viewerOf(leaving), session.id)).toMatchObject({ status: "confirmed" });
    expect(await signUpForSession(await viewerOf(staying), session.id)).toMatchObject({ status: "waitlisted", position: 1 });
    expect((await ledgerOf(conference.id)).seatsTaken).toBe(2);

    expect(await deleteAccount({ userId: leaving.id, currentPassword: FACTORY_PASSWORD, ip: null, links: TEST_LINKS })).toEqual({ ok: true });

    expect(await getDb().select().from(registrations).where(eq(registrations.userId, leaving.id))).toHaveLength(0);
    expect(await statusOf(firstInLine.id)).toBe("approved");
    expect(await statusOf(secondInLine.id)).toBe("waitlisted");
    expect((await ledgerOf(conference.id)).seatsTaken).toBe(2);
    const [seats] = await getDb().select().from(breakoutSeats).where(eq(breakoutSeats.sessionId, session.id));
    expect(seats!.seatsTaken).toBe(1);
    const signups = await getDb().select({ userId: breakoutSignups.userId, status: breakoutSignups.status }).from(breakoutSignups).where(eq(breakoutSignups.sessionId, session.id));
    expect(signups).toEqual([{ userId: staying.id, status: "confirmed" }]);
    expect(await subjectsTo(first.email)).toEqual([`You are registered: ${conference.name}`]);
    expect(await subjectsTo(staying.email)).toEqual(["A seat is yours: Seized servers"]);
    expect(await subjectsTo(second.email)).toEqual([]);
  });

  it("changes nothing when the deletion fails after the parts ran: one transaction", async () => {
    const { conference, leaving, first, registration, firstInLine } = await fullConference();
    // Refuses this one user row's deletion, after every part has erased.
    await database().rows(sql.raw(`
      create function refuse_user_delete() returns trigger language plpgsql as $$
      begin if old.id = '${leaving.id}' then raise exception 'refused by the test'; end if; return old; end $$`));
    await database().rows(sql.raw("create trigger refuse_user_delete before delete on users for each row execute function refuse_user_delete()"));
    try {
      await expect(deleteAccount({ userId: leaving.id, currentPassword: FACTORY_PASSWORD, ip: null, links: TEST_LINKS })).rejects.toThrow();
    } finally {
      await database().rows(sql.raw("drop trigger refuse_user_delete on users"));
      await database().rows(sql.raw("drop function refuse_user_delete()"));
    }
    expect(await statusOf(registration.id)).toBe("approved");
    expect(await statusOf(firstInLine.id)).toBe("waitlisted");
    expect((await ledgerOf(conference.id)).seatsTaken).toBe(2);
    expect(await subjectsTo(first.email)).toEqual([]);
    expect(await getDb().select().from(users).where(eq(users.id, leaving.id))).toHaveLength(1);
  });

  it("gives each seat once when several attendees delete their accounts at the same time", async () => {
    const conference = await createRegistrationConference({ capacity: 5 });
    const seated = await Promise.all(Array.from({ length: 5 }, () => createUser()));
    for (const user of seated) await createRegistration(user, conference.id, "approved");
    const waiting = [];
    for (let i = 0; i < 6; i += 1) waiting.push(await createRegistration(await createUser(), conference.id, "waitlisted"));

    const results = await Promise.all(seated.slice(0, 4).map((user) => deleteAccount({ userId: user.id, currentPassword: FACTORY_PASSWORD, ip: null, links: TEST_LINKS })));
    expect(results).toEqual(Array.from({ length: 4 }, () => ({ ok: true })));

    expect((await ledgerOf(conference.id)).seatsTaken).toBe(5);
    const counts = await getDb()
      .select({ status: registrations.status, n: sql<number>`count(*)::int` })
      .from(registrations)
      .where(eq(registrations.conferenceId, conference.id))
      .groupBy(registrations.status);
    expect(Object.fromEntries(counts.map((row) => [row.status, row.n]))).toEqual({ approved: 5, waitlisted: 2 });
    // First come, first served: the first four in line got the seats.
    const promoted = await getDb()
      .select({ id: registrations.id })
      .from(registrations)
      .where(and(eq(registrations.conferenceId, conference.id), eq(registrations.status, "approved"), inArray(registrations.id, waiting.map((row) => row.id))));
    expect(new Set(promoted.map((row) => row.id))).toEqual(new Set(waiting.slice(0, 4).map((row) => row.id)));
  });
});
