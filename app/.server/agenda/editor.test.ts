import crypto from "node:crypto";
import { and, eq, inArray, ne } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { conferences, programChanges, programSessions, sessionStars, type Conference, type Room, type Speaker } from "#db/schema/agenda.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { createUser } from "#tests/factories/accounts.ts";
import { createConference, createProgramSession, createRoom, createSpeaker, viewerOf } from "#tests/factories/agenda.ts";
import { ANONYMOUS } from "../access/audience.ts";
import { ConflictError, InvalidError } from "../errors.ts";
import { listProgramChanges, mailProgramChange, programChangeMailsJob } from "./changes.ts";
import { CreateSessionSchema, createSession, getSessionForEditor, publishProgram, setSessionCancelled, updateSession, UpdateSessionSchema } from "./editor.ts";
import { getAgenda, getChangelog } from "./program.ts";
import { jobRows, runQueuedJobs } from "#tests/support/jobs.ts";

let conference: Conference;
let hall: Room;
let lab: Room;
let speaker: Speaker;
let organizer: Awaited<ReturnType<typeof viewerOf>>;
const origin = { ip: "127.0.0.1", link: (path: string) => `https://liaison.test${path}` };

beforeAll(async () => {
  conference = await createConference({ current: true });
  hall = await createRoom(conference.id, "Potomac Hall", 1);
  lab = await createRoom(conference.id, "Training Lab", 2);
  speaker = await createSpeaker({ name: "Dana Whitfield" });
  organizer = await viewerOf(await createUser({ roles: ["organizer"] }));
});

let minute = 0;
/** A free slot on Wednesday at the venue: each call a new half hour, so tests do not book each other's rooms. */
function freeSlot() {
  const start = 6 * 60 + 30 * minute++;
  const clock = (m: number) => `${String(Math.floor(m / 60) % 24).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  return { day: "2027-06-09", start: clock(start), end: clock(start + 30) };
}

function form(overrides: Record<string, unknown> = {}) {
  return CreateSessionSchema.parse({
    title: "Air cargo risk rules",
    type: "breakout",
    ...freeSlot(),
    roomId: "",
    trackId: "",
    capacity: "",
    audience: "public",
    abstract: "About **rules**.",
    creationKey: crypto.randomUUID(),
    ...overrides,
  });
}

async function fieldErrors(promise: Promise<unknown>) {
  const error = await promise.catch((e: unknown) => e);
  if (!(error instanceof InvalidError)) throw new Error(`expected an InvalidError, got ${String(error)}`);
  return error.fieldErrors;
}

describe("creating sessions", () => {
  it("stores the venue's times and bumps the program version", async () => {
    const [before] = await getDb().select().from(conferences).where(eq(conferences.id, conference.id));
    const id = await createSession(organizer, form({ day: "2027-06-07", start: "09:00", end: "10:30", roomId: hall.id, speakerIds: speaker.id, capacity: "120" }));
    const [row] = await getDb().select().from(programSessions).where(eq(programSessions.id, id));
    expect(row).toMatchObject({ startsAt: new Date("2027-06-07T13:00:00Z"), endsAt: new Date("2027-06-07T14:30:00Z"), capacity: 120, status: "scheduled" });
    expect(row!.abstractHtml).toBe("<p>About <strong>rules</strong>.</p>\n");
    const [after] = await getDb().select().from(conferences).where(eq(conferences.id, conference.id));
    expect(after!.programVersion).toBe(before!.programVersion + 1);
    expect((await getSessionForEditor(organizer, id)).values).toMatchObject({ day: "2027-06-07", start: "09:00", end: "10:30", speakerIds: [speaker.id] });
  });

  it("lets an evening session run past midnight, and refuses one outside the conference days", async () => {
    const late = await createSession(organizer, form({ day: "2027-06-10", start: "22:00", end: "01:00" }));
    const [row] = await getDb().select().from(programSessions).where(eq(programSessions.id, late));
    expect(row!.endsAt.toISOString()).toBe("2027-06-11T05:00:00.000Z");
    expect(await fieldErrors(createSession(organizer, form({ day: "2027-06-12" })))).toEqual({ day: ["Choose a day of the conference (Mon 7 June to Fri 11 June)."] });
    expect(await fieldErrors(createSession(organizer, form({ day: "2027-06-11", start: "23:00", end: "00:30" })))).toEqual({
      end: ["The session must end by midnight after the last day (Fri 11 June)."],
    });
    expect(await fieldErrors(createSession(organizer, form({ day: "2027-06-08", start: "09:00", end: "08:00" })))).toEqual({
      end: ["A session lasts at most 12 hours. (An end before the start means the next day.)"],
    });
  });

  it("refuses a room or a speaker booked twice, naming the other session", async () => {
    await createSession(organizer, form({ title: "K-9 demonstration", day: "2027-06-08", start: "13:00", end: "14:30", roomId: lab.id, speakerIds: speaker.id }));
    expect(await fieldErrors(createSession(organizer, form({ day: "2027-06-08", start: "14:00", end: "15:00", roomId: lab.id })))).toEqual({
      roomId: ["Training Lab is already booked at that time for “K-9 demonstration” (Tue 8 June, 13:00–14:30)."],
    });
    expect(await fieldErrors(createSession(organizer, form({ day: "2027-06-08", start: "13:30", end: "14:00", roomId: hall.id, speakerIds: speaker.id })))).toEqual({
      speakerIds: ["Dana Whitfield already speaks at that time in “K-9 demonstration” (Tue 8 June, 13:00–14:30)."],
    });
    // Back to back is not a clash.
    await createSession(organizer, form({ day: "2027-06-08", start: "14:30", end: "15:00", roomId: lab.id, speakerIds: speaker.id }));
  });

  it("creates one session when the same form arrives twice", async () => {
    const same = form({ title: "Double click" });
    const ids = await Promise.all([createSession(organizer, same), createSession(organizer, same), createSession(organizer, same)]);
    expect(new Set(ids).size).toBe(1);
    expect(await getDb().$count(programSessions, eq(programSessions.title, "Double click"))).toBe(1);
  });

  it("needs edit:agenda, whatever the route did", async () => {
    const attendee = await viewerOf(await createUser());
    await expect(createSession(attendee, form())).rejects.toMatchObject({ status: 403 });
  });
});

describe("double booking under a burst of parallel saves", () => {
  it("books a room once when ten organizers save overlapping sessions at the same moment", async () => {
    const slot = { day: "2027-06-11", start: "09:00", end: "10:00" };
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => createSession(organizer, form({ ...slot, title: `Burst ${i}`, start: i % 2 ? "09:15" : "09:00", roomId: hall.id }))),
    );
    const made = results.filter((r) => r.status === "fulfilled");
    expect(made).toHaveLength(1);
    for (const result of results.filter((r) => r.status === "rejected")) {
      const reason = (result as PromiseRejectedResult).reason as InvalidError;
      expect(reason).toBeInstanceOf(InvalidError);
      expect(reason.fieldErrors.roomId?.[0]).toMatch(/^Potomac Hall is already booked at that time for “Burst \d”/);
    }
    const booked = await getDb()
      .select({ id: programSessions.id })
      .from(programSessions)
      .where(and(eq(programSessions.roomId, hall.id), ne(programSessions.status, "cancelled"), inArray(programSessions.title, results.map((_, i) => `Burst ${i}`))));
    expect(booked).toHaveLength(1);
  });

  it("books a speaker once across rooms", async () => {
    const other = await createSpeaker({ name: "Ingrid Solberg" });
    const roomIds = [hall.id, lab.id, (await createRoom(conference.id, "Shenandoah", 3)).id, (await createRoom(conference.id, "Terrace", 4)).id];
    const results = await Promise.allSettled(
      roomIds.map((roomId, i) => createSession(organizer, form({ day: "2027-06-11", start: "11:00", end: "12:00", title: `Speaker burst ${i}`, roomId, speakerIds: other.id }))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const result of results.filter((r) => r.status === "rejected")) {
      expect(((result as PromiseRejectedResult).reason as InvalidError).fieldErrors.speakerIds?.[0]).toMatch(/^Ingrid Solberg already speaks at that time in “Speaker burst \d”/);
    }
  });
});

describe("changes to a published program", () => {
  async function starredBy(sessionId: string, traits: ("verified" | "member")[] = ["verified"]) {
    const user = await createUser({ traits });
    await getDb().insert(sessionStars).values({ userId: user.id, sessionId });
    return user;
  }
  /** A person's mails, once the queued program-change jobs have run. */
  const mailsTo = async (email: string) => {
    await runQueuedJobs(programChangeMailsJob);
    return getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, email)).orderBy(mailOutbox.id);
  };
  const edit = async (id: string, changes: Record<string, unknown>) => {
    const current = await getSessionForEditor(organizer, id);
    return updateSession(organizer, id, UpdateSessionSchema.parse({ ...current.values, version: current.version, ...changes }), origin);
  };

  it("records a move, marks it moved and mails each person who starred it once, with a link", async () => {
    const session = await createProgramSession({ conferenceId: conference.id, title: "Following the bitcoin", startsAt: "2027-06-10T13:00Z", endsAt: "2027-06-10T14:00Z", roomId: hall.id });
    const [ada, ben] = [await starredBy(session.id), await starredBy(session.id)];
    await edit(session.id, { start: "15:00", end: "16:00", roomId: lab.id });
    const [row] = await getDb().select().from(programSessions).where(eq(programSessions.id, session.id));
    expect(row!.status).toBe("moved");
    const changes = await getDb().select().from(programChanges).where(eq(programChanges.sessionId, session.id));
    expect(changes.map((c) => [c.kind, c.details])).toEqual([
      ["moved", { from: { startsAt: "2027-06-10T13:00:00.000Z", endsAt: "2027-06-10T14:00:00.000Z", room: "Potomac Hall" }, to: { startsAt: "2027-06-10T19:00:00.000Z", endsAt: "2027-06-10T20:00:00.000Z", room: "Training Lab" } }],
    ]);
    for (const reader of [ada!, ben!]) {
      const mails = await mailsTo(reader.email);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe('Program change: "Following the bitcoin" has moved');
      expect(mails[0]!.textBody).toContain("It was: Thursday 10 June 2027, 09:00–10:00, Potomac Hall\nIt is now: Thursday 10 June 2027, 15:00–16:00, Training Lab");
      expect(mails[0]!.textBody).toContain("Times are New York time (GMT-4).");
      expect(mails[0]!.textBody).toContain(`https://liaison.test/agenda/sessions/${session.id}`);
    }
    // A save that changes neither time nor room announces nothing.
    await edit(session.id, { title: "Following the bitcoin, step by step" });
    expect(await mailsTo(ada!.email)).toHaveLength(1);
    expect(await getDb().$count(programChanges, eq(programChanges.sessionId, session.id))).toBe(1);
  });

  it("queues one job per change, which mails after the save and only once, however often it runs", async () => {
    const session = await createProgramSession({ conferenceId: conference.id, title: "Pill press forensics", startsAt: "2027-06-10T15:00Z", endsAt: "2027-06-10T16:00Z", roomId: hall.id });
    const [ada, ben] = [await starredBy(session.id), await starredBy(session.id)];
    await runQueuedJobs(programChangeMailsJob);
    await edit(session.id, { start: "13:00", end: "14:00" });
    const raw = (email: string) => getDb().$count(mailOutbox, eq(mailOutbox.toAddress, email));
    // The save wrote the change and its job, not the mails.
    expect([await raw(ada!.email), await raw(ben!.email)]).toEqual([0, 0]);
    const [job] = await jobRows(programChangeMailsJob.name);
    const { changeId, siteRoot, alreadyTold } = programChangeMailsJob.payload.parse(job!.data);
    expect(siteRoot).toBe("https://liaison.test/");
    await Promise.all([mailProgramChange(changeId, siteRoot, alreadyTold), mailProgramChange(changeId, siteRoot, alreadyTold)]);
    await mailProgramChange(changeId, siteRoot, alreadyTold);
    expect([await raw(ada!.email), await raw(ben!.email)]).toEqual([1, 1]);
  });

  it("tells a reader who may not see the session only that something changed", async () => {
    const session = await createProgramSession({ conferenceId: conference.id, title: "Undercover buys: techniques", audience: "members", startsAt: "2027-06-10T15:00Z", endsAt: "2027-06-10T16:00Z" });
    const member = await starredBy(session.id, ["verified", "member"]);
    const lapsed = await starredBy(session.id);
    await setSessionCancelled(organizer, session.id, true, origin);
    await setSessionCancelled(organizer, session.id, true, origin);
    expect((await mailsTo(member!.email)).map((m) => m.subject)).toEqual(['Program change: "Undercover buys: techniques" is cancelled']);
    const [restricted] = await mailsTo(lapsed!.email);
    expect(restricted!.subject).toBe("A session you starred has changed");
    expect(restricted!.textBody).not.toContain("Undercover");
    expect(restricted!.textBody).toContain("https://liaison.test/agenda/mine");
    // The public changelog leaves the members' session out; staff see it.
    expect((await listProgramChanges(getDb(), ANONYMOUS, conference.id)).some((c) => c.sessionId === session.id)).toBe(false);
    const staff = { userId: organizer.id, staff: true, member: false, attending: [], groups: [] };
    expect((await listProgramChanges(getDb(), staff, conference.id)).filter((c) => c.sessionId === session.id).map((c) => c.kind)).toEqual(["cancelled"]);
    await setSessionCancelled(organizer, session.id, false, origin);
    expect((await mailsTo(member!.email)).map((m) => m.subject)).toEqual([
      'Program change: "Undercover buys: techniques" is cancelled',
      'Program change: "Undercover buys: techniques" is back on the program',
    ]);
  });

  it("shows an anonymous visitor's day, which is kept per content version, changed from the next view on", async () => {
    const grid = async () => (await getAgenda({ scope: ANONYMOUS, viewerId: null, zone: null }, null, { day: "2027-06-09", track: null, type: null, q: "" })).grid!;
    const wednesday = async () => (await grid()).sessions.map((session) => [session.id, session.title, session.start]);
    const id = await createSession(organizer, form({ title: "Parcel data at the border", ...freeSlot() }));
    expect(await wednesday()).toContainEqual([id, "Parcel data at the border", expect.any(String)]);
    // Read once, then shared.
    expect(await grid()).toBe(await grid());
    await edit(id, { title: "Parcel data at the border, revised", start: "05:00", end: "05:30" });
    const after = await wednesday();
    expect(after).toContainEqual([id, "Parcel data at the border, revised", "05:00"]);
    expect(after.filter(([sessionId]) => sessionId === id)).toHaveLength(1);
  });

  it("refuses a save over a newer one", async () => {
    const session = await createProgramSession({ conferenceId: conference.id, title: "Two editors", startsAt: "2027-06-10T17:00Z", endsAt: "2027-06-10T18:00Z" });
    const stale = await getSessionForEditor(organizer, session.id);
    await edit(session.id, { title: "First editor" });
    await expect(updateSession(organizer, session.id, UpdateSessionSchema.parse({ ...stale.values, version: stale.version, title: "Second editor" }), origin)).rejects.toBeInstanceOf(ConflictError);
    const [row] = await getDb().select().from(programSessions).where(eq(programSessions.id, session.id));
    expect(row!.title).toBe("First editor");
  });

  it("records nothing while the program is a draft, and publishes it", async () => {
    const draft = await createConference({ current: true, published: false });
    try {
      const session = await createProgramSession({ conferenceId: draft.id, title: "Draft session", startsAt: "2027-06-08T13:00Z", endsAt: "2027-06-08T14:00Z" });
      const reader = await starredBy(session.id);
      await edit(session.id, { start: "11:00", end: "12:00" });
      const [row] = await getDb().select().from(programSessions).where(eq(programSessions.id, session.id));
      expect(row!.status).toBe("scheduled");
      expect(await mailsTo(reader!.email)).toHaveLength(0);
      expect((await getChangelog({ scope: ANONYMOUS, viewerId: null, zone: null })).changes).toEqual([]);
      await publishProgram(organizer);
      const [published] = await getDb().select().from(conferences).where(eq(conferences.id, draft.id));
      expect(published!.published).toBe(true);
    } finally {
      await getDb().update(conferences).set({ current: false }).where(eq(conferences.id, draft.id));
      await getDb().update(conferences).set({ current: true }).where(eq(conferences.id, conference.id));
    }
  });
});
