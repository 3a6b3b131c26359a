/**
 * The program over HTTP, as browsers and calendar apps use it: pages, stars with and without JavaScript, the feeds
 * (parsed with ical.js), the schedule export, and an organizer's move reaching the people who starred the session.
 */
import path from "node:path";
import { and, eq } from "drizzle-orm";
import ICAL from "ical.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { conferences, programSessions } from "#db/schema/agenda.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { importProgram } from "#app/.server/agenda/import.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { startTestApp, type TestApp } from "#tests/support/app.ts";
import { runQueuedJobs } from "#tests/support/jobs.ts";
import { programChangeMailsJob } from "#app/.server/agenda/changes.ts";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await importProgram(path.resolve("content/program"));
});

afterAll(async () => {
  await app?.close();
});

async function sessionId(key: string): Promise<string> {
  const [row] = await getDb()
    .select({ id: programSessions.id })
    .from(programSessions)
    .innerJoin(conferences, eq(conferences.id, programSessions.conferenceId))
    .where(and(eq(conferences.current, true), eq(programSessions.sourceKey, key)));
  return row!.id;
}

async function signedIn(options: { traits?: ("verified" | "member")[]; roles?: ("organizer" | "admin")[] } = {}) {
  const user = await createUser({ traits: options.traits ?? ["verified"], roles: options.roles ?? [] });
  const { token } = await createUserSession(user.id, { mfaVerified: true });
  const client = app.client();
  client.cookies.set("liaison_session", token);
  return { user, client };
}

/** The events of an iCalendar text, in UTC, after registering its time zones as a calendar app would. */
function events(text: string) {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents("vtimezone")) ICAL.TimezoneService.register(zone);
  return calendar.getAllSubcomponents("vevent").map((component) => {
    const event = new ICAL.Event(component);
    return {
      uid: event.uid,
      summary: event.summary,
      zone: event.startDate.zone?.tzid,
      start: event.startDate.toJSDate().toISOString(),
      end: event.endDate.toJSDate().toISOString(),
      status: component.getFirstPropertyValue("status"),
      sequence: event.sequence,
    };
  });
}

/** A page's text as a reader sees it: no markup, React's text separators gone, one space between words. */
const text = (html: string) =>
  html
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .replace(/ ([,.:;)])/g, "$1");

describe("the home page", () => {
  it("names the current conference, its dates, city and time zone, and what a visitor can do now", async () => {
    const res = await app.client().get("/");
    expect(res.status).toBe(200);
    const page = text(res.text);
    expect(page).toContain("Fentanyl and Opioid Targeting Conference 2027");
    expect(page).toContain("7–11 June 2027 at Potomac Yard Conference Center, Alexandria, Virginia");
    expect(page).toContain("New York time (GMT-4)");
    expect(page).toContain("Registration is open until 21 May 2027");
    expect(res.text).toContain('href="/register"');
    expect(res.text).toContain('href="/agenda"');
  });
});

describe("the program pages", () => {
  it("shows an anonymous visitor the public sessions of the first day, in the venue's zone, and none of the restricted ones", async () => {
    const res = await app.client().get("/agenda");
    expect(res.status).toBe(200);
    const page = text(res.text);
    expect(page).toContain("Times are New York time (GMT-4)");
    expect(page).toContain("09:00–10:30 Opening plenary: the synthetic opioid supply chain in 2027");
    expect(page).not.toContain("Hands-on: reading advance electronic data");
    expect(page).not.toContain("Welcome reception");
    expect(res.text).toMatch(/class="session type-plenary track-[0-9a-f]{6} r-5 s-6 c-1"/);
  });

  it("colours the tracks from one stylesheet that any cache may keep, whoever asks for it", async () => {
    const page = (await app.client().get("/agenda")).text;
    expect(page).toContain('<link rel="stylesheet" href="/agenda/tracks.css"/>');
    const used = new Set([...page.matchAll(/\b(track-[0-9a-f]{6})\b/g)].map((match) => match[1]!));
    expect(used.size).toBeGreaterThanOrEqual(4);
    // A signed-in viewer's pages are never stored; the stylesheet, the same for everyone, is.
    const { client } = await signedIn();
    const res = await client.get("/agenda/tracks.css");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    for (const name of used) expect(res.text).toContain(`.${name} { --track: #${name.slice("track-".length)}; }`);
    const etag = res.headers.get("etag")!;
    expect((await client.get("/agenda/tracks.css", { "If-None-Match": etag })).status).toBe(304);
    // As a proxy may send it: weakened, in a list.
    expect((await client.get("/agenda/tracks.css", { "If-None-Match": `"other", W/${etag}` })).status).toBe(304);
    expect((await client.get("/agenda/tracks.css", { "If-None-Match": '"other"' })).status).toBe(200);
    expect((await client.get("/agenda")).headers.get("cache-control")).toBe("private, no-store");
  });

  it("searches titles, abstracts and speakers, and leaves out what the viewer may not see", async () => {
    const anonymous = text((await app.client().get("/agenda?q=undercover")).text);
    expect(anonymous).toContain("No sessions match “undercover”");
    const { client } = await signedIn({ traits: ["verified", "member"] });
    const member = text((await client.get("/agenda?q=undercover")).text);
    expect(member).toContain("1 session matches “undercover”");
    expect(member).toContain("Undercover buys on vendor sites: techniques and safeguards");
  });

  it("shows the chosen zone: a Monday afternoon session at the venue runs past midnight in Kolkata", async () => {
    const page = text((await app.client().get("/agenda?tz=Asia/Kolkata&day=2027-06-07")).text);
    expect(page).toContain("Times are Kolkata time (GMT+5:30)");
    expect(page).toContain("23:00–00:30 (next day) Targeting centres working together");
    const tuesday = text((await app.client().get("/agenda?tz=Asia/Kolkata&day=2027-06-08")).text);
    expect(tuesday).toContain("01:00–02:30 Air cargo: the risk rules that found the pill presses");
  });

  it("answers 404 for a members' session to an attendee, and shows it to a member", async () => {
    const id = await sessionId("live-case-review");
    expect((await (await signedIn()).client.get(`/agenda/sessions/${id}`)).status).toBe(404);
    const member = await (await signedIn({ traits: ["verified", "member"] })).client.get(`/agenda/sessions/${id}`);
    expect(member.status).toBe(200);
    expect(text(member.text)).toContain("Live case review: an open dark-web investigation");
  });
});

describe("stars", () => {
  it("work as a plain form that comes back to the page, and flag overlaps on the personal agenda", async () => {
    const { client } = await signedIn();
    const [a, b] = [await sessionId("repackaged-and-resent"), await sessionId("anatomy-of-a-vendor")];
    // Each star's form names the page it sits on as the address to come back to.
    const before = (await client.get("/agenda?day=2027-06-07")).text;
    for (const id of [a, b]) {
      const action = `/agenda/sessions/${id}?returnTo=${encodeURIComponent("/agenda?day=2027-06-07")}`;
      expect(before).toContain(`<form method="post" action="${action}">`);
      const res = await client.post(action, { intent: "star" });
      expect([res.status, res.location]).toEqual([302, "/agenda?day=2027-06-07"]);
    }
    const grid = await client.get("/agenda?day=2027-06-07");
    expect(grid.headers.get("cache-control")).toBe("private, no-store");
    expect(grid.text.match(/aria-pressed="true"/g)).toHaveLength(2);
    const mine = text((await client.get("/agenda/mine")).text);
    expect(mine).toContain("2 starred sessions");
    expect(mine).toContain("Overlaps with “Anatomy of a dark-web vendor: departments, administrators and a public affairs desk”");
    expect(mine).toContain("2 of your sessions overlap with another you starred");
    // A third at the same time: each names the other two, as a list.
    expect((await client.post(`/agenda/sessions/${await sessionId("factory-to-press")}`, { intent: "star" })).status).toBe(200);
    const three = text((await client.get("/agenda/mine")).text);
    expect(three).toContain(
      "Overlaps with “Repackaged and resent: how resellers move fentanyl through the mail” and “From factory to press: how precursor chemicals reach clandestine labs”",
    );
    expect(three).toContain("3 of your sessions overlap with another you starred");
  });

  it("answer a fetcher without a redirect, refuse an off-site return address, and need a verified account", async () => {
    const { client } = await signedIn();
    const id = await sessionId("following-the-bitcoin");
    expect((await client.post(`/agenda/sessions/${id}`, { intent: "star" })).status).toBe(200);
    const offsite = await client.post(`/agenda/sessions/${id}?returnTo=${encodeURIComponent("//evil.example/x")}`, { intent: "unstar" });
    expect([offsite.status, offsite.location]).toEqual([302, `/agenda/sessions/${id}`]);
    expect((await client.post(`/agenda/sessions/${id}`, { intent: "explode" })).status).toBe(400);
    const anonymous = await app.client().post(`/agenda/sessions/${id}`, { intent: "star" });
    expect(anonymous.location).toBe(`/login?redirectTo=${encodeURIComponent(`/agenda/sessions/${id}`)}`);
  });
});

describe("calendar feeds and the schedule export", () => {
  it("serves the public program as iCalendar in the venue's zone", async () => {
    const res = await app.client().get("/agenda.ics");
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    const all = events(res.text);
    expect(all).toHaveLength(37);
    const opening = all.find((event) => event.summary === "Opening plenary: the synthetic opioid supply chain in 2027")!;
    expect(opening).toMatchObject({ zone: "America/New_York", start: "2027-06-07T13:00:00.000Z", end: "2027-06-07T14:30:00.000Z", status: "CONFIRMED", sequence: 0 });
    expect(opening.uid).toBe(`${await sessionId("opening-plenary")}@liaison`);
  });

  it("serves one session as iCalendar: one event, with the venue's time zone defined", async () => {
    const id = await sessionId("closing-plenary");
    const res = await app.client().get(`/agenda/sessions/${id}.ics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="session-${id}.ics"`);

    const calendar = new ICAL.Component(ICAL.parse(res.text));
    const [zone, ...otherZones] = calendar.getAllSubcomponents("vtimezone");
    expect(otherZones).toEqual([]);
    expect(zone!.getFirstPropertyValue("tzid")).toBe("America/New_York");
    // New York's rules: EDT (UTC-4) in summer, EST (UTC-5) in winter.
    const offsets = (kind: string) => zone!.getAllSubcomponents(kind).map((rule) => String(rule.getFirstPropertyValue("tzoffsetto")));
    expect(new Set(offsets("daylight"))).toEqual(new Set(["-04:00"]));
    expect(new Set(offsets("standard"))).toEqual(new Set(["-05:00"]));

    const [event, ...otherEvents] = calendar.getAllSubcomponents("vevent");
    expect(otherEvents).toEqual([]);
    expect(event!.getFirstProperty("dtstart")!.getParameter("tzid")).toBe("America/New_York");
    expect(String(event!.getFirstPropertyValue("dtstart"))).toBe("2027-06-11T11:00:00");
    expect(event!.getFirstPropertyValue("location")).toBe("Potomac Hall, Potomac Yard Conference Center, Alexandria, Virginia");
    expect(event!.getFirstPropertyValue("url")).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/agenda/sessions/${id}$`));
    expect(String(event!.getFirstPropertyValue("description"))).toMatch(/^With Dana Whitfield, Claire Dubois\.\n\nThe agencies present agree/);
    expect(String(event!.getFirstPropertyValue("categories"))).toBe("Detection and cooperation");
    // Read as a calendar app reads it, with the zone the file defines: 11:00 in Alexandria is 15:00 UTC.
    expect(events(res.text)).toEqual([
      { uid: `${id}@liaison`, summary: "Closing plenary: commitments for the year ahead", zone: "America/New_York", start: "2027-06-11T15:00:00.000Z", end: "2027-06-11T16:00:00.000Z", status: "CONFIRMED", sequence: 0 },
    ]);
  });

  it("keeps a personal feed at a secret address that its owner can replace and revoke", async () => {
    const { client } = await signedIn({ traits: ["verified", "member"] });
    await client.post(`/agenda/sessions/${await sessionId("undercover-buys")}`, { intent: "star" });
    await client.post(`/agenda/sessions/${await sessionId("closing-plenary")}`, { intent: "star" });
    const created = await client.post("/agenda/mine", { intent: "create-feed" });
    const address = /<p class="feed-url">([^<]+)<\/p>/.exec(created.text)?.[1];
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/agenda\/feed\/[a-z2-7]{32}\.ics$/);
    const feed = await app.client().get(new URL(address!).pathname);
    expect(feed.status).toBe(200);
    expect(feed.headers.get("cache-control")).toBe("private, no-store");
    expect(events(feed.text).map((event) => event.summary)).toEqual(["Undercover buys on vendor sites: techniques and safeguards", "Closing plenary: commitments for the year ahead"]);
    await client.post("/agenda/mine", { intent: "revoke-feed" });
    expect((await app.client().get(new URL(address!).pathname)).status).toBe(404);
  });

  it("exports the schedule in the frab/pretalx JSON shape", async () => {
    const res = await app.client().get("/agenda/schedule.json");
    const { schedule } = JSON.parse(res.text) as { schedule: { conference: { days: { date: string; rooms: Record<string, { guid: string; start: string; duration: string; persons: { public_name: string }[] }[]> }[]; time_zone_name: string } } };
    expect(schedule.conference.time_zone_name).toBe("America/New_York");
    expect(schedule.conference.days.map((day) => day.date)).toEqual(["2027-06-07", "2027-06-08", "2027-06-09", "2027-06-10", "2027-06-11"]);
    const events = schedule.conference.days.flatMap((day) => Object.values(day.rooms).flat());
    expect(events).toHaveLength(37);
    const opening = schedule.conference.days[0]!.rooms["Potomac Hall"]![0]!;
    expect(opening).toMatchObject({ start: "09:00", duration: "01:30", persons: [{ public_name: "Dana Whitfield" }, { public_name: "Priya Raghunathan" }] });
  });
});

describe("an organizer edits the program", () => {
  it("refuses a double booking with the form and a clear message, and announces a move to the people who starred it", async () => {
    const organizer = await signedIn({ roles: ["organizer"] });
    const form = await organizer.client.get("/admin/agenda/sessions/new");
    const creationKey = /name="creationKey" value="([^"]+)"/.exec(form.text)![1]!;
    const potomac = /<option value="([^"]+)">Potomac Hall/.exec(form.text)![1]!;
    const refused = await organizer.client.post("/admin/agenda/sessions/new", {
      creationKey,
      title: "A second plenary",
      type: "plenary",
      day: "2027-06-07",
      start: "10:00",
      end: "11:00",
      roomId: potomac,
      audience: "public",
    });
    expect(refused.status).toBe(400);
    expect(text(refused.text)).toContain("Potomac Hall is already booked at that time for “Opening plenary: the synthetic opioid supply chain in 2027” (Mon 7 June, 09:00–10:30).");

    const id = await sessionId("what-scanners-miss");
    const fan = await signedIn();
    await fan.client.post(`/agenda/sessions/${id}`, { intent: "star" });
    const edit = await organizer.client.get(`/admin/agenda/sessions/${id}`);
    const field = (name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(edit.text)?.[1] ?? new RegExp(`value="([^"]*)"[^>]*name="${name}"`).exec(edit.text)?.[1];
    const moved = await organizer.client.post(`/admin/agenda/sessions/${id}`, {
      intent: "save",
      version: field("version")!,
      title: "Mail facility targeting: what the scanners miss",
      type: "breakout",
      day: "2027-06-08",
      start: "17:00",
      end: "18:30",
      roomId: "",
      trackId: "",
      capacity: "120",
      audience: "public",
      abstract: "X-ray and trace detection find a lot, but not everything.",
    });
    expect([moved.status, moved.location]).toEqual([302, `/admin/agenda/sessions/${id}`]);
    // The save queued one job, which mails the people who starred the session.
    expect(await runQueuedJobs(programChangeMailsJob)).toBe(1);
    const mails = await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, fan.user.email));
    expect(mails.map((mail) => mail.subject)).toEqual(['Program change: "Mail facility targeting: what the scanners miss" has moved']);
    expect(mails[0]!.textBody).toContain("It is now: Tuesday 8 June 2027, 17:00–18:30\n");
    const changes = text((await app.client().get("/agenda/changes")).text);
    expect(changes).toContain("Mail facility targeting: what the scanners miss: Moved from Tue 8 June 15:00–16:30, Chesapeake B to Tue 8 June 17:00–18:30.");
    const session = text((await app.client().get(`/agenda/sessions/${id}`)).text);
    expect(session).toContain("Moved. This session has moved");
  });
});
