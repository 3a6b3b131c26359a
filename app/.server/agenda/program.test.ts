import { eq, sql } from "drizzle-orm";
import ICAL from "ical.js";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb, observeQueries } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import type { Conference, ProgramSession, Speaker } from "#db/schema/agenda.ts";
import { createUser } from "#tests/factories/accounts.ts";
import { createConference, createProgramSession, createRoom, createSpeaker, createTrack, viewerOf } from "#tests/factories/agenda.ts";
import { ANONYMOUS, type AccessScope } from "../access/audience.ts";
import { NotFoundError } from "../errors.ts";
import { createFeedToken, personalCalendar, programCalendar } from "./feeds.ts";
import { getAgenda, getSessionView, getSpeakerView, getTrackAgenda, listSpeakers, prefixQuery } from "./program.ts";
import { scheduleExport } from "./schedule-export.ts";
import { getPersonalAgenda, setStar } from "./stars.ts";

/*
 * One edition in Alexandria, Virginia (America/New_York, UTC-4 in June) with sessions for each audience. In UTC:
 *   public     Mon 14:00–15:00  "Fentanyl parcels in the mail"      room A, track, speaker "Second"
 *   public     Mon 14:30–15:30  "Coffee with the postal teams"      no room (overlaps the one above)
 *   attendees  Mon 14:00–15:00  "Vendor watchlist workshop"         room B, track
 *   members    Mon 18:00–19:30  "Case review of fentanyl vendors"  room A, track, speaker "Owner" (linked to an account)
 *   public     Wed 01:00–02:00  "Evening briefing"                   Tue 21:00 at the venue
 *   public     Wed 05:30–07:30  "Night shift at the mail facility"   Wed 01:30 at the venue; Tue 22:30–00:30 in Los Angeles
 *   public     Thu 18:00–19:00  "Precursor controls"                 Thu 23:30–00:30 in Kolkata
 */
let conference: Conference;
let owner: Speaker;
let second: Speaker;
let trackSlug: string;
const s = {} as Record<"mail" | "coffee" | "workshop" | "review" | "evening" | "night" | "precursors", ProgramSession>;
let ownerUserId: string;

beforeAll(async () => {
  conference = await createConference({ current: true, slug: "fotc-test" });
  const roomA = await createRoom(conference.id, "Room A", 1);
  const roomB = await createRoom(conference.id, "Room B", 2);
  const track = await createTrack(conference.id, "Dark web");
  trackSlug = track.slug;
  const ownerUser = await createUser({ name: "Owner Account" });
  ownerUserId = ownerUser.id;
  owner = await createSpeaker({ name: "Olive Owner", user: ownerUser });
  second = await createSpeaker({ name: "Sam Second", agency: "Postal Inspectorate" });
  const c = conference.id;
  s.mail = await createProgramSession({ conferenceId: c, title: "Fentanyl parcels in the mail", startsAt: "2027-06-07T14:00Z", endsAt: "2027-06-07T15:00Z", roomId: roomA.id, trackId: track.id, speakerIds: [second.id] });
  s.coffee = await createProgramSession({ conferenceId: c, title: "Coffee with the postal teams", type: "networking", startsAt: "2027-06-07T14:30Z", endsAt: "2027-06-07T15:30Z" });
  s.workshop = await createProgramSession({ conferenceId: c, title: "Vendor watchlist workshop", startsAt: "2027-06-07T14:00Z", endsAt: "2027-06-07T15:00Z", roomId: roomB.id, trackId: track.id, audience: "attendees" });
  s.review = await createProgramSession({ conferenceId: c, title: "Case review of fentanyl vendors", abstract: "Restricted details.", startsAt: "2027-06-07T18:00Z", endsAt: "2027-06-07T19:30Z", roomId: roomA.id, trackId: track.id, audience: "members", speakerIds: [owner.id] });
  s.evening = await createProgramSession({ conferenceId: c, title: "Evening briefing", startsAt: "2027-06-09T01:00Z", endsAt: "2027-06-09T02:00Z" });
  s.night = await createProgramSession({ conferenceId: c, title: "Night shift at the mail facility", startsAt: "2027-06-09T05:30Z", endsAt: "2027-06-09T07:30Z" });
  s.precursors = await createProgramSession({ conferenceId: c, title: "Precursor controls", startsAt: "2027-06-10T18:00Z", endsAt: "2027-06-10T19:00Z" });
});

const PUBLIC = () => [s.mail, s.coffee, s.evening, s.night, s.precursors].map((x) => x.id);
const links = { link: (path: string) => `https://liaison.test${path}` };
const sorted = (ids: string[]) => [...ids].sort();

function scopes(): Record<string, { scope: AccessScope; sees: string[] }> {
  return {
    anonymous: { scope: ANONYMOUS, sees: PUBLIC() },
    attendee: { scope: { userId: "00000000-0000-4000-8000-00000000000a", staff: false, member: false, attending: [conference.id], groups: [] }, sees: [...PUBLIC(), s.workshop.id] },
    member: { scope: { userId: "00000000-0000-4000-8000-00000000000b", staff: false, member: true, attending: [], groups: [] }, sees: [...PUBLIC(), s.review.id] },
    owner: { scope: { userId: ownerUserId, staff: false, member: false, attending: [], groups: [] }, sees: [...PUBLIC(), s.review.id] },
    staff: { scope: { userId: "00000000-0000-4000-8000-00000000000c", staff: true, member: false, attending: [], groups: [] }, sees: Object.values(s).map((x) => x.id) },
  };
}

/** Every session id a scope reaches through each way into the program. */
async function reachable(scope: AccessScope) {
  const viewing = { scope, viewerId: null, zone: null };
  const first = await getAgenda(viewing, null, { day: null, track: null, type: null, q: "" });
  const grid: string[] = [];
  for (const day of first.days) {
    const page = await getAgenda(viewing, null, { day: day.day, track: null, type: null, q: "" });
    grid.push(...page.grid!.sessions.map((x) => x.id));
  }
  const search = (await getAgenda(viewing, null, { day: null, track: null, type: null, q: "fentanyl" })).results!.flatMap((d) => d.sessions.map((x) => x.id));
  const speakerSearch = (await getAgenda(viewing, null, { day: null, track: null, type: null, q: "olive" })).results!.flatMap((d) => d.sessions.map((x) => x.id));
  const track = (await getTrackAgenda(viewing, trackSlug)).days.flatMap((d) => d.sessions.map((x) => x.id));
  const ics = new ICAL.Component(ICAL.parse(await programCalendar(scope, null, links)));
  const feed = ics.getAllSubcomponents("vevent").map((event) => String(event.getFirstPropertyValue("uid")).replace("@liaison", ""));
  const exported = (await scheduleExport(scope, null, links)).schedule.conference.days.flatMap((day) =>
    Object.values(day.rooms).flatMap((events) => (events as { guid: string }[]).map((event) => event.guid)),
  );
  const pages: string[] = [];
  for (const session of Object.values(s)) {
    const found = await getSessionView(viewing, session.id).then(
      () => true,
      (error: unknown) => (error instanceof NotFoundError ? false : Promise.reject(error)),
    );
    if (found) pages.push(session.id);
  }
  const speakerList = (await listSpeakers(scope)).speakers.map((sp) => [sp.name, sp.sessions]);
  const ownerPage = await getSpeakerView(viewing, owner.slug).then(
    (view) => view.editions.flatMap((e) => e.days.flatMap((d) => d.sessions.map((x) => x.id))),
    (error: unknown) => (error instanceof NotFoundError ? null : Promise.reject(error)),
  );
  return { grid, search, speakerSearch, track, feed, exported, pages, speakerList, ownerPage };
}

describe("a session a viewer may not see is absent everywhere", () => {
  for (const name of ["anonymous", "attendee", "member", "owner", "staff"]) {
    it(`for ${name === "owner" ? "the speaker who owns the members' session" : `a viewer who is ${name}`}`, async () => {
      const { scope, sees } = scopes()[name]!;
      const got = await reachable(scope);
      const expected = sorted(sees);
      expect(sorted(got.grid)).toEqual(expected);
      expect(sorted(got.feed)).toEqual(expected);
      expect(sorted(got.exported)).toEqual(expected);
      expect(sorted(got.pages)).toEqual(expected);
      const reviewVisible = sees.includes(s.review.id);
      expect(sorted(got.search)).toEqual(sorted([s.mail.id, ...(reviewVisible ? [s.review.id] : [])]));
      expect(got.speakerSearch).toEqual(reviewVisible ? [s.review.id] : []);
      expect(sorted(got.track)).toEqual(sorted([s.mail.id, ...(sees.includes(s.workshop.id) ? [s.workshop.id] : []), ...(reviewVisible ? [s.review.id] : [])]));
      expect(got.speakerList).toEqual([...(reviewVisible ? [["Olive Owner", 1]] : []), ["Sam Second", 1]]);
      expect(got.ownerPage).toEqual(reviewVisible ? [s.review.id] : null);
    });
  }
});

describe("time zones", () => {
  const day = (zone: string | null, key: string) => getAgenda({ scope: ANONYMOUS, viewerId: null, zone }, null, { day: key, track: null, type: null, q: "" });
  const slot = (page: Awaited<ReturnType<typeof day>>, id: string) => {
    const found = page.grid!.sessions.find((x) => x.id === id);
    return found ? { start: found.start, end: found.end, endsNextDay: found.endsNextDay } : null;
  };

  it("shows the venue's zone by default, labelled", async () => {
    const page = await day(null, "2027-06-09");
    expect(page.zone).toMatchObject({ active: "America/New_York", param: null, label: "New York time (GMT-4)" });
    expect(page.days.map((d) => d.day)).toEqual(["2027-06-07", "2027-06-08", "2027-06-09", "2027-06-10"]);
    expect(slot(page, s.night.id)).toEqual({ start: "01:30", end: "03:30", endsNextDay: false });
    expect(slot(await day(null, "2027-06-08"), s.evening.id)).toEqual({ start: "21:00", end: "22:00", endsNextDay: false });
  });

  it("puts sessions on the day they fall on in Asia/Kolkata, one crossing midnight there", async () => {
    const thursday = await day("Asia/Kolkata", "2027-06-10");
    expect(thursday.zone).toMatchObject({ active: "Asia/Kolkata", param: "Asia/Kolkata", label: "Kolkata time (GMT+5:30)" });
    expect(slot(thursday, s.precursors.id)).toEqual({ start: "23:30", end: "00:30", endsNextDay: true });
    const wednesday = await day("Asia/Kolkata", "2027-06-09");
    expect(wednesday.grid!.sessions.map((x) => [x.title, x.start])).toEqual([
      ["Evening briefing", "06:30"],
      ["Night shift at the mail facility", "11:00"],
    ]);
    expect((await day("Asia/Kolkata", "2027-06-08")).grid!.sessions).toEqual([]);
    expect(slot(await day("Asia/Kolkata", "2027-06-07"), s.mail.id)).toEqual({ start: "19:30", end: "20:30", endsNextDay: false });
  });

  it("puts sessions on the day they fall on in America/Los_Angeles, one crossing midnight there", async () => {
    const tuesday = await day("America/Los_Angeles", "2027-06-08");
    expect(tuesday.days.map((d) => d.day)).toEqual(["2027-06-07", "2027-06-08", "2027-06-09", "2027-06-10"]);
    expect(tuesday.grid!.sessions.map((x) => [x.title, x.start, x.end, x.endsNextDay])).toEqual([
      ["Evening briefing", "18:00", "19:00", false],
      ["Night shift at the mail facility", "22:30", "00:30", true],
    ]);
    expect((await day("America/Los_Angeles", "2027-06-09")).grid!.sessions).toEqual([]);
  });

  it("places sessions on the grid by 15-minute rows from the first full hour, and roomless ones across the rooms", async () => {
    const monday = await day(null, "2027-06-07");
    expect(monday.grid!.rooms).toEqual(["Room A", "Room B"]);
    const placed = Object.fromEntries(monday.grid!.sessions.map((x) => [x.title, [x.row, x.span, x.column]]));
    // 10:00 at the venue is the first full hour: row 1, and 10:30 is row 3; an hour is 4 rows.
    expect(placed).toEqual({
      "Fentanyl parcels in the mail": [1, 4, 1],
      "Coffee with the postal teams": [3, 4, 0],
    });
    expect(monday.grid!.hours.map((h) => h.label)).toEqual(["10:00", "11:00"]);
  });

  it("ignores a zone that is not an IANA zone", async () => {
    expect((await day("Mars/Olympus_Mons", "2027-06-07")).zone.active).toBe("America/New_York");
    expect((await day("'; drop table users; --", "2027-06-07")).zone.active).toBe("America/New_York");
  });
});

describe("search", () => {
  it("matches the start of words in titles, abstracts and speakers' names and agencies", async () => {
    const search = async (q: string) =>
      (await getAgenda({ scope: ANONYMOUS, viewerId: null, zone: null }, null, { day: null, track: null, type: null, q })).results!.flatMap((d) => d.sessions.map((x) => x.title));
    expect(await search("fent")).toEqual(["Fentanyl parcels in the mail"]);
    expect(await search("postal inspect")).toEqual(["Fentanyl parcels in the mail"]);
    expect(await search("mail")).toEqual(["Fentanyl parcels in the mail", "Night shift at the mail facility"]);
    expect(await search("nothing-like-this")).toEqual([]);
    expect(prefixQuery("  K-9 & dogs | ! ")).toBe("k:* & 9:* & dogs:*");
    expect(prefixQuery("&|!():*")).toBeNull();
  });
});

/**
 * Runs `work` and expects it to send `expected` statements, besides the content version that every instance reads at
 * most once a second (content/version.ts).
 */
async function countingStatements<T>(work: () => Promise<T>, expected: number): Promise<T> {
  const statements: string[] = [];
  const stop = observeQueries((query) => statements.push(query));
  try {
    const result = await work();
    expect(statements.filter((query) => !query.includes('"content_version"'))).toHaveLength(expected);
    return result;
  } finally {
    stop();
  }
}

describe("the personal agenda", () => {
  it("stars what the viewer may see, flags overlapping stars, and costs one statement for public sessions", async () => {
    const user = await createUser();
    const viewer = await viewerOf(user);
    expect(await setStar(viewer, s.mail.id, true)).toEqual({ starred: true });
    expect(await setStar(viewer, s.mail.id, true)).toEqual({ starred: true });
    await setStar(viewer, s.coffee.id, true);
    await setStar(viewer, s.evening.id, true);
    await expect(setStar(viewer, s.review.id, true)).rejects.toBeInstanceOf(NotFoundError);
    await expect(setStar(viewer, s.workshop.id, true)).rejects.toBeInstanceOf(NotFoundError);
    await getPersonalAgenda(viewer, null);
    const mine = await countingStatements(() => getPersonalAgenda(viewer, "Asia/Kolkata"), 1);
    expect(mine.count).toBe(3);
    expect(mine.days.map((d) => [d.day, d.sessions.map((x) => [x.title, x.start, x.starred])])).toEqual([
      ["2027-06-07", [["Fentanyl parcels in the mail", "19:30", true], ["Coffee with the postal teams", "20:00", true]]],
      ["2027-06-09", [["Evening briefing", "06:30", true]]],
    ]);
    expect(mine.overlaps).toEqual({ [s.mail.id]: ["Coffee with the postal teams"], [s.coffee.id]: ["Fentanyl parcels in the mail"] });
    expect(mine.feed).toBeNull();
    await setStar(viewer, s.coffee.id, false);
    const after = await getPersonalAgenda(viewer, null);
    expect(after.count).toBe(2);
    expect(after.overlaps).toEqual({});
  });

  it("lists only the current edition's stars, at no extra cost for a star of a past edition", async () => {
    const past = await createConference({ slug: "past-edition-stars", startsOn: "2025-06-02", endsOn: "2025-06-06" });
    const old = await createProgramSession({ conferenceId: past.id, title: "Last year's keynote", startsAt: "2025-06-02T13:00Z", endsAt: "2025-06-02T14:00Z" });
    const viewer = await viewerOf(await createUser());
    await setStar(viewer, old.id, true);
    await setStar(viewer, s.mail.id, true);
    await getPersonalAgenda(viewer, null); // reads the catalogue of the new content version
    const mine = await countingStatements(() => getPersonalAgenda(viewer, null), 1);
    expect(mine.days.flatMap((d) => d.sessions.map((x) => x.id))).toEqual([s.mail.id]);
  });

  it("drops a starred session the viewer may no longer see", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    const viewer = await viewerOf(member);
    await setStar(viewer, s.review.id, true);
    await setStar(viewer, s.mail.id, true);
    // The members' session is not in the public catalogue: a second statement reads it under the member's scope.
    const before = await countingStatements(() => getPersonalAgenda(viewer, null), 2);
    expect(before.days.flatMap((d) => d.sessions.map((x) => x.id)).sort()).toEqual(sorted([s.review.id, s.mail.id]));
    await getDb().update(users).set({ memberUntil: sql`now() - interval '1 day'` }).where(eq(users.id, member.id));
    const after = await getPersonalAgenda(await viewerOf(member), null);
    expect(after.days.flatMap((d) => d.sessions.map((x) => x.id))).toEqual([s.mail.id]);
  });

  it("feeds the owner's stars as the owner may see them, at an address that can be replaced or revoked", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    const viewer = await viewerOf(member);
    await setStar(viewer, s.review.id, true);
    await setStar(viewer, s.night.id, true);
    const token = await createFeedToken(viewer);
    const events = (text: string) => new ICAL.Component(ICAL.parse(text)).getAllSubcomponents("vevent").map((event) => event.getFirstPropertyValue("summary"));
    expect(events(await personalCalendar(token, links))).toEqual(["Case review of fentanyl vendors", "Night shift at the mail facility"]);
    expect((await getPersonalAgenda(viewer, null)).feed?.lastUsedAt).toBeInstanceOf(Date);
    const replaced = await createFeedToken(viewer);
    await expect(personalCalendar(token, links)).rejects.toBeInstanceOf(NotFoundError);
    expect(events(await personalCalendar(replaced, links))).toHaveLength(2);
  });
});
