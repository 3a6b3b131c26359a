import fs from "node:fs/promises";
import os from "node:os";
import { setTimeout } from "node:timers/promises";
import path from "node:path";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { conferences, programChanges, programSessions, rooms, sessionSpeakers, sessionStars, speakers, tracks } from "#db/schema/agenda.ts";
import { breakoutSeats, breakoutSignups } from "#db/schema/registration.ts";
import { createUser } from "#tests/factories/accounts.ts";
import { viewerOf } from "#tests/factories/agenda.ts";
import { createRegistration } from "#tests/factories/registration.ts";
import { ContentError } from "../content/source.ts";
import { signUpForSession } from "../registration/breakouts.ts";
import { ConflictError } from "../errors.ts";
import { getSessionForEditor, updateSession, UpdateSessionSchema } from "./editor.ts";
import { importProgram, importProgramIfEmpty } from "./import.ts";
import { runQueuedJobs } from "#tests/support/jobs.ts";
import { programChangeMailsJob } from "./changes.ts";

const SHIPPED = path.resolve("content/program");
let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "liaison-program-"));
  await fs.cp(SHIPPED, dir, { recursive: true });
  // Each test starts from an empty program (the database is shared by the file's tests).
  await getDb().execute(sql`truncate conferences, speakers, program_imports, mail_outbox cascade`);
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function edit(relative: string, change: (text: string) => string): Promise<void> {
  const file = path.join(dir, relative);
  await fs.writeFile(file, change(await fs.readFile(file, "utf8")));
}

async function snapshot() {
  const db = getDb();
  return {
    conferences: await db.select().from(conferences).orderBy(asc(conferences.slug)),
    sessions: await db.select({ id: programSessions.id, updatedAt: programSessions.updatedAt, xmin: sql<string>`xmin::text` }).from(programSessions).orderBy(asc(programSessions.id)),
    speakers: await db.select({ id: speakers.id, updatedAt: speakers.updatedAt, xmin: sql<string>`xmin::text` }).from(speakers).orderBy(asc(speakers.id)),
    links: await db.select({ count: sql<number>`count(*)::int` }).from(sessionSpeakers),
  };
}

/** A session of the current edition by its file name (the past edition reuses a few names). */
async function sessionByKey(key: string) {
  const [row] = await getDb()
    .select({ session: programSessions })
    .from(programSessions)
    .innerJoin(conferences, eq(conferences.id, programSessions.conferenceId))
    .where(and(eq(programSessions.sourceKey, key), eq(conferences.slug, "fotc-2027")));
  return row!.session;
}

describe("importing the program", () => {
  it("loads the shipped demo program: two editions, one current, five days, four tracks", async () => {
    const result = await importProgram(dir);
    expect(result).toEqual({ changed: true, conferences: 2, sessions: 54, speakers: 26, announced: 0 });
    const editions = await getDb().select().from(conferences).orderBy(asc(conferences.slug));
    expect(editions.map((c) => [c.slug, c.current, c.published, c.timeZone])).toEqual([
      ["fotc-2026", false, true, "America/Los_Angeles"],
      ["fotc-2027", true, true, "America/New_York"],
    ]);
    const current = editions[1]!;
    expect([current.startsOn, current.endsOn]).toEqual(["2027-06-07", "2027-06-11"]);
    expect(await getDb().$count(tracks, eq(tracks.conferenceId, current.id))).toBe(4);
    expect(await getDb().$count(rooms, eq(rooms.conferenceId, current.id))).toBe(6);
    expect(await getDb().$count(programSessions, eq(programSessions.conferenceId, current.id))).toBe(48);
    const audiences = await getDb()
      .select({ audience: programSessions.audience, count: sql<number>`count(*)::int` })
      .from(programSessions)
      .where(eq(programSessions.conferenceId, current.id))
      .groupBy(programSessions.audience)
      .orderBy(programSessions.audience);
    expect(audiences).toEqual([
      { audience: "attendees", count: 8 },
      { audience: "members", count: 3 },
      { audience: "public", count: 37 },
    ]);
    const opening = await sessionByKey("opening-plenary");
    // 09:00 in Alexandria, Virginia on 7 June 2027 is 13:00 UTC (daylight saving time).
    expect(opening.startsAt.toISOString()).toBe("2027-06-07T13:00:00.000Z");
    expect(opening.abstractHtml).toContain("<li>what changed since last June,</li>");
  });

  it("links a speaker to the verified account their file names", async () => {
    const account = await createUser({ email: "speaker@demo.liaison.test" });
    await importProgram(dir);
    const [linked] = await getDb().select().from(speakers).where(eq(speakers.slug, "sam-speaker"));
    expect(linked?.userId).toBe(account.id);
  });

  it("changes nothing when the files did not change", async () => {
    expect((await importProgram(dir)).changed).toBe(true);
    const before = await snapshot();
    expect(await importProgram(dir)).toEqual({ changed: false, conferences: 2, sessions: 54, speakers: 26, announced: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it("rewrites only what a changed file changes, and bumps that edition's program version", async () => {
    await importProgram(dir);
    const before = await snapshot();
    await edit("fotc-2027/sessions/anatomy-of-a-vendor.md", (text) => text.replace("Anatomy of a dark-web vendor", "Inside a dark-web vendor"));
    expect((await importProgram(dir)).changed).toBe(true);
    const after = await snapshot();
    const changed = after.sessions.filter((row, i) => row.xmin !== before.sessions[i]!.xmin);
    expect(changed.map((row) => row.id)).toEqual([(await sessionByKey("anatomy-of-a-vendor")).id]);
    expect(after.speakers).toEqual(before.speakers);
    const version = (rows: typeof before.conferences) => rows.map((c) => [c.slug, c.programVersion]);
    expect(version(after.conferences)).toEqual([
      ["fotc-2026", before.conferences[0]!.programVersion],
      ["fotc-2027", before.conferences[1]!.programVersion + 1],
    ]);
    expect((await sessionByKey("anatomy-of-a-vendor")).title).toMatch(/^Inside a dark-web vendor/);
  });

  it("records a moved session of a published program once, marks it moved, and mails the people who starred it", async () => {
    await importProgram(dir);
    const reader = await createUser();
    const session = await sessionByKey("following-the-bitcoin");
    await getDb().insert(sessionStars).values({ userId: reader.id, sessionId: session.id });
    await edit("fotc-2027/sessions/following-the-bitcoin.md", (text) => text.replace('start: "15:30"', 'start: "16:00"').replace('end: "17:00"', 'end: "17:30"'));
    expect((await importProgram(dir)).announced).toBe(1);
    expect((await importProgram(dir)).changed).toBe(false);
    const moved = await sessionByKey("following-the-bitcoin");
    expect(moved.status).toBe("moved");
    expect(moved.startsAt.toISOString()).toBe("2027-06-07T20:00:00.000Z");
    const entries = await getDb().select().from(programChanges).where(eq(programChanges.sessionId, session.id));
    expect(entries.map((entry) => entry.kind)).toEqual(["moved"]);
    expect(await runQueuedJobs(programChangeMailsJob)).toBe(1);
    const mails = await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, reader.email)).orderBy(mailOutbox.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Program change: "Following the bitcoin: tracing payments from buyer to vendor" has moved');
    expect(mails[0]!.textBody).toContain("It was: Monday 7 June 2027, 15:30–17:00, Chesapeake B");
    expect(mails[0]!.textBody).toContain("It is now: Monday 7 June 2027, 16:00–17:30, Chesapeake B");
  });

  it("swaps two sessions' rooms in one import: the double-booking rule is checked on the result", async () => {
    await importProgram(dir);
    await edit("fotc-2027/sessions/repackaged-and-resent.md", (text) => text.replace("room: chesapeake-a", "room: chesapeake-b"));
    await edit("fotc-2027/sessions/anatomy-of-a-vendor.md", (text) => text.replace("room: chesapeake-b", "room: chesapeake-a"));
    expect((await importProgram(dir)).announced).toBe(2);
    const [a, b] = [await sessionByKey("repackaged-and-resent"), await sessionByKey("anatomy-of-a-vendor")];
    const roomSlug = async (id: string | null) => (await getDb().select({ slug: rooms.slug }).from(rooms).where(eq(rooms.id, id!)))[0]?.slug;
    expect([await roomSlug(a.roomId), await roomSlug(b.roomId)]).toEqual(["chesapeake-b", "chesapeake-a"]);
  });

  it("removes sessions whose files are gone and keeps the ones made in the app", async () => {
    await importProgram(dir);
    const [conference] = await getDb().select().from(conferences).where(eq(conferences.slug, "fotc-2027"));
    const [made] = await getDb()
      .insert(programSessions)
      .values({ conferenceId: conference!.id, type: "networking", title: "Made in the app", startsAt: new Date("2027-06-08T23:00:00Z"), endsAt: new Date("2027-06-08T23:30:00Z") })
      .returning();
    await fs.rm(path.join(dir, "fotc-2027/sessions/fri-coffee.md"));
    await importProgram(dir);
    expect(await getDb().$count(programSessions, eq(programSessions.conferenceId, conference!.id))).toBe(48);
    expect(await getDb().$count(programSessions, eq(programSessions.sourceKey, "fri-coffee"))).toBe(0);
    expect(await getDb().$count(programSessions, eq(programSessions.id, made!.id))).toBe(1);
  });

  it("refuses files that book a room twice together with a session made in the app, and writes nothing", async () => {
    await importProgram(dir);
    const [conference] = await getDb().select().from(conferences).where(eq(conferences.slug, "fotc-2027"));
    const [lab] = await getDb().select().from(rooms).where(and(eq(rooms.conferenceId, conference!.id), eq(rooms.slug, "training-lab")));
    await getDb()
      .insert(programSessions)
      .values({ conferenceId: conference!.id, roomId: lab!.id, type: "workshop", title: "App-made workshop", startsAt: new Date("2027-06-11T15:30:00Z"), endsAt: new Date("2027-06-11T16:30:00Z") });
    await edit("fotc-2027/sessions/closing-plenary.md", (text) => text.replace("room: potomac-hall", "room: training-lab").replace("A last", "The last"));
    const before = await snapshot();
    const error = await importProgram(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentError);
    expect((error as ContentError).problems).toEqual([`${dir}: sessions: the files book a room at the same time as a session made in the app; move one of them`]);
    expect(await snapshot()).toEqual(before);
  });
});

describe("a re-import and the sessions' sign-ups", () => {
  const KEY = "anatomy-of-a-vendor";
  const FILE = `fotc-2027/sessions/${KEY}.md`;
  const TITLE = "Anatomy of a dark-web vendor: departments, administrators and a public affairs desk";

  async function setCapacity(capacity: number | null) {
    await edit(FILE, (text) => text.replace(/capacity: \d+\n/, capacity === null ? "" : `capacity: ${capacity}\n`));
  }

  /** The program imported with the session cut to `capacity` seats, and people signed up one after another. */
  async function signedUp(capacity: number, people: number) {
    await setCapacity(capacity);
    await importProgram(dir);
    const session = await sessionByKey(KEY);
    const viewers = [];
    for (let i = 0; i < people; i++) {
      const user = await createUser();
      await createRegistration(user, session.conferenceId, "approved");
      const viewer = await viewerOf(user, { mfaVerified: false });
      await signUpForSession(viewer, session.id);
      viewers.push(viewer);
    }
    return { session, viewers };
  }

  async function statuses(sessionId: string, people: { id: string }[]) {
    const rows = await getDb().select({ userId: breakoutSignups.userId, status: breakoutSignups.status }).from(breakoutSignups).where(eq(breakoutSignups.sessionId, sessionId));
    const byUser = new Map(rows.map((row) => [row.userId, row.status]));
    return people.map((person) => byUser.get(person.id));
  }

  async function seatsTaken(sessionId: string) {
    const [ledger] = await getDb().select().from(breakoutSeats).where(eq(breakoutSeats.sessionId, sessionId));
    return ledger!.seatsTaken;
  }

  /** A person's mails, once the queued program-change jobs have run. */
  async function mailsTo(email: string) {
    await runQueuedJobs(programChangeMailsJob);
    return getDb().select({ subject: mailOutbox.subject, text: mailOutbox.textBody }).from(mailOutbox).where(eq(mailOutbox.toAddress, email)).orderBy(mailOutbox.id);
  }

  it("a higher capacity gives the new seats to the first waiting, in order, and no capacity gives everyone a seat", async () => {
    const { session, viewers } = await signedUp(2, 5);
    expect(await statuses(session.id, viewers)).toEqual(["confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"]);

    await setCapacity(4);
    await importProgram(dir);
    expect(await statuses(session.id, viewers)).toEqual(["confirmed", "confirmed", "confirmed", "confirmed", "waitlisted"]);
    expect(await seatsTaken(session.id)).toBe(4);
    for (const viewer of viewers.slice(2, 4)) expect((await mailsTo(viewer.email)).map((mail) => mail.subject)).toEqual([`A seat is yours: ${TITLE}`]);
    for (const viewer of [...viewers.slice(0, 2), viewers[4]!]) expect(await mailsTo(viewer.email)).toEqual([]);

    await setCapacity(null);
    await importProgram(dir);
    expect(await statuses(session.id, viewers)).toEqual(Array(5).fill("confirmed"));
    expect(await seatsTaken(session.id)).toBe(5);
    expect((await mailsTo(viewers[4]!.email)).map((mail) => mail.subject)).toEqual([`A seat is yours: ${TITLE}`]);
  });

  it("refuses a capacity below the seats already confirmed, naming the file and field, and writes nothing", async () => {
    const { session, viewers } = await signedUp(3, 3);
    await setCapacity(2);
    await edit(FILE, (text) => text.replace("Anatomy of a dark-web vendor", "Inside a dark-web vendor"));
    const before = await snapshot();
    const error = await importProgram(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentError);
    expect((error as ContentError).problems).toEqual([
      `${dir}/${FILE}: capacity: 3 people have a confirmed seat in this session; must be at least 3 (nobody loses a seat they were given)`,
    ]);
    expect(await snapshot()).toEqual(before);
    expect((await sessionByKey(KEY)).capacity).toBe(3);
    expect(await statuses(session.id, viewers)).toEqual(Array(3).fill("confirmed"));
    expect(await seatsTaken(session.id)).toBe(3);
    for (const viewer of viewers) expect(await mailsTo(viewer.email)).toEqual([]);
    // Down to exactly the seats taken is fine: the session is full.
    await setCapacity(3);
    expect((await importProgram(dir)).changed).toBe(true);
    expect((await sessionByKey(KEY)).title).toMatch(/^Inside a dark-web vendor/);
  });

  it("cancelling a session ends its sign-ups and waitlist and tells each person once", async () => {
    const { session, viewers } = await signedUp(1, 2);
    const [seated, waiting] = viewers;
    const follower = await createUser();
    // The seated one starred it too: they get the sign-up mail, not the one to people who starred it as well.
    await getDb().insert(sessionStars).values([{ userId: seated!.id, sessionId: session.id }, { userId: follower.id, sessionId: session.id }]);

    await edit(FILE, (text) => text.replace("capacity: 1\n", "capacity: 1\nstatus: cancelled\n"));
    expect((await importProgram(dir)).announced).toBe(1);
    expect((await sessionByKey(KEY)).status).toBe("cancelled");
    expect(await statuses(session.id, viewers)).toEqual(["cancelled", "cancelled"]);
    expect(await seatsTaken(session.id)).toBe(0);
    const seatedMails = await mailsTo(seated!.email);
    expect(seatedMails.map((mail) => mail.subject)).toEqual([`Cancelled: ${TITLE}`]);
    expect(seatedMails[0]!.text).toContain("your seat in it is released");
    const waitingMails = await mailsTo(waiting!.email);
    expect(waitingMails.map((mail) => mail.subject)).toEqual([`Cancelled: ${TITLE}`]);
    expect(waitingMails[0]!.text).toContain("your place on its waitlist is released");
    expect((await mailsTo(follower.email)).map((mail) => mail.subject)).toEqual([`Program change: "${TITLE}" is cancelled`]);
  });

  it("removing a session's file ends its sign-ups and tells each person before the session goes", async () => {
    const { session, viewers } = await signedUp(1, 2);
    await fs.rm(path.join(dir, FILE));
    await importProgram(dir);
    expect(await getDb().$count(programSessions, eq(programSessions.id, session.id))).toBe(0);
    expect(await getDb().$count(breakoutSignups, eq(breakoutSignups.sessionId, session.id))).toBe(0);
    for (const viewer of viewers) expect((await mailsTo(viewer.email)).map((mail) => mail.subject)).toEqual([`Cancelled: ${TITLE}`]);
  });
});

describe("an import and an organizer's saves at the same moment", () => {
  it("all finish, each whole or refused as stale: none waits for another in a circle (a deadlock on a server)", async () => {
    await importProgram(dir);
    const session = await sessionByKey("anatomy-of-a-vendor");
    const organizer = await viewerOf(await createUser({ roles: ["organizer"] }));
    const origin = { ip: "127.0.0.1", link: (to: string) => `https://liaison.test${to}` };
    for (let round = 1; round <= 3; round++) {
      // The import rewrites this session (its abstract) while organizers save it, one every few milliseconds, so that
      // some save lands while the import holds its locks.
      await edit("fotc-2027/sessions/anatomy-of-a-vendor.md", (text) => `${text.trimEnd()}\n\nRevised, take ${round}.\n`);
      const save = async (delayMs: number) => {
        await setTimeout(delayMs);
        const current = await getSessionForEditor(organizer, session.id);
        await updateSession(organizer, session.id, UpdateSessionSchema.parse({ ...current.values, version: current.version, capacity: String(40 + delayMs) }), origin);
      };
      const results = await Promise.allSettled([importProgram(dir), ...Array.from({ length: 12 }, (_, i) => save(i * 8))]);
      expect(results[0]!.status, String((results[0] as PromiseRejectedResult).reason)).toBe("fulfilled");
      for (const result of results.slice(1)) {
        if (result.status === "rejected") expect(result.reason).toBeInstanceOf(ConflictError);
      }
    }
  });
});

describe("an invalid program", () => {
  it("is reported with each file and field, and nothing is written", async () => {
    await edit("fotc-2027/sessions/opening-plenary.md", (text) => text.replace('start: "09:00"', "start: 9am").replace("room: potomac-hall", "room: main-stage"));
    await edit("speakers/dana-whitfield.md", (text) => text.replace(/agency: .*\n/, ""));
    await edit("fotc-2027/sessions/welcome-reception.md", (text) => text.replace("day: 2027-06-07", "day: 2027-06-12"));
    const error = await importProgram(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentError);
    expect((error as ContentError).problems).toEqual([
      `${dir}/speakers/dana-whitfield.md: agency: Required`,
      `${dir}/fotc-2027/sessions/opening-plenary.md: start: Must be a time like "09:30", in quotes`,
      `${dir}/fotc-2027/sessions/welcome-reception.md: day: Must be a day of the conference (2027-06-07 to 2027-06-11)`,
    ]);
    expect(await getDb().$count(conferences)).toBe(0);
    expect(await getDb().$count(speakers)).toBe(0);
  });

  it("reports rooms, tracks and speakers that do not exist, and double bookings within the files", async () => {
    await edit("fotc-2027/sessions/opening-plenary.md", (text) => text.replace("room: potomac-hall", "room: main-stage").replace("track: cooperation", "track: k9"));
    await edit("fotc-2027/sessions/targeting-centres-panel.md", (text) => text.replace("kwame-mensah]", "kwame-mensah, nobody-at-all]"));
    await edit("fotc-2027/sessions/postal-data-workshop.md", (text) => text.replace("room: training-lab", "room: potomac-hall").replace("amelia-chen", "claire-dubois"));
    const error = await importProgram(dir).catch((e: unknown) => e);
    expect((error as ContentError).problems).toEqual([
      `${dir}/fotc-2027/sessions/opening-plenary.md: room: "main-stage" is not a room of this conference`,
      `${dir}/fotc-2027/sessions/opening-plenary.md: track: "k9" is not a track of this conference`,
      `${dir}/fotc-2027/sessions/targeting-centres-panel.md: speakers.4: "nobody-at-all" has no file in speakers/`,
      `${dir}/fotc-2027/sessions/postal-data-workshop.md: room: "potomac-hall" is already booked at that time by ${dir}/fotc-2027/sessions/targeting-centres-panel.md`,
      `${dir}/fotc-2027/sessions/postal-data-workshop.md: speakers: "claire-dubois" already speaks at that time in ${dir}/fotc-2027/sessions/targeting-centres-panel.md`,
    ]);
  });

  it("leaves an imported program as it was", async () => {
    await importProgram(dir);
    const before = await snapshot();
    await edit("fotc-2027/conference.md", (text) => text.replace("timeZone: America/New_York", "timeZone: Mars/Olympus_Mons"));
    await edit("fotc-2027/sessions/mon-lunch.md", (text) => text.replace("Lunch is served", "Lunch is now served"));
    const error = await importProgram(dir).catch((e: unknown) => e);
    expect((error as ContentError).problems).toEqual([`${dir}/fotc-2027/conference.md: timeZone: Must be an IANA time zone such as America/New_York`]);
    expect(await snapshot()).toEqual(before);
  });

  it("needs exactly one current edition", async () => {
    await edit("fotc-2026/conference.md", (text) => text.replace("published: true", "published: true\ncurrent: true"));
    const error = await importProgram(dir).catch((e: unknown) => e);
    expect((error as ContentError).problems).toEqual([`${dir}: current: Exactly one edition must say "current: true" (fotc-2026 and fotc-2027 do)`]);
  });
});

describe("the first start", () => {
  it("imports into an empty database and leaves a database with a program alone", async () => {
    expect((await importProgramIfEmpty(dir))?.changed).toBe(true);
    await edit("fotc-2027/sessions/mon-lunch.md", (text) => text.replace("Lunch is served", "Lunch is now served"));
    expect(await importProgramIfEmpty(dir)).toBeNull();
    expect((await sessionByKey("mon-lunch")).abstract).toBe("Lunch is served on the Riverside Terrace.");
  });
});
