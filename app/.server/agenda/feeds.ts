import { TZDate } from "@date-fns/tz";
import { getVtimezoneComponent } from "@touch4it/ical-timezones";
import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import ical, { ICalEventStatus } from "ical-generator";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { calendarFeeds, conferences, programSessions, rooms, sessionSpeakers, sessionStars, speakers, tracks } from "#db/schema/agenda.ts";
import type { Viewer } from "../accounts/sessions.ts";
import { generateToken, hashToken } from "../accounts/tokens.ts";
import type { AccessScope } from "../access/audience.ts";
import { NotFoundError } from "../errors.ts";
import { changeCounts } from "./changes.ts";
import { requireConference, type ConferenceRow } from "./conferences.ts";
import { accessScopesOfUsers } from "../access/viewer-access.ts";
import { sessionVisibleTo } from "./visibility.ts";

/**
 * Calendar feeds (RFC 5545) of the program: the whole program and one session for whoever asks (each with what the
 * asker may see), and a personal feed of a viewer's starred sessions at a secret address, for calendar apps that
 * cannot sign in. Events carry the venue's time zone (with its VTIMEZONE), a stable UID and a SEQUENCE that counts
 * the session's changes, so a subscribed calendar updates an event in place.
 */

export type Links = { link: (path: string) => string };

type FeedSession = {
  id: string;
  title: string;
  abstract: string;
  startsAt: Date;
  endsAt: Date;
  status: string;
  updatedAt: Date;
  room: string | null;
  track: string | null;
  speakers: string;
  venue: string;
  timeZone: string;
};

async function feedSessions(where: SQL | undefined): Promise<FeedSession[]> {
  return getDb()
    .select({
      id: programSessions.id,
      title: programSessions.title,
      abstract: programSessions.abstract,
      startsAt: programSessions.startsAt,
      endsAt: programSessions.endsAt,
      status: programSessions.status,
      updatedAt: programSessions.updatedAt,
      room: rooms.name,
      track: tracks.name,
      speakers: sql<string>`coalesce((select string_agg(${speakers.name}, ', ' order by ${sessionSpeakers.position}) from ${sessionSpeakers}
        inner join ${speakers} on ${speakers.id} = ${sessionSpeakers.speakerId} where ${sessionSpeakers.sessionId} = ${programSessions.id}), '')`,
      venue: sql<string>`${conferences.venue} || ', ' || ${conferences.city}`,
      timeZone: conferences.timeZone,
    })
    .from(programSessions)
    .innerJoin(conferences, eq(conferences.id, programSessions.conferenceId))
    .leftJoin(rooms, eq(rooms.id, programSessions.roomId))
    .leftJoin(tracks, eq(tracks.id, programSessions.trackId))
    .where(where)
    .orderBy(asc(programSessions.startsAt), asc(programSessions.title));
}

async function calendar(name: string, sessions: FeedSession[], links: Links): Promise<string> {
  const sequences = await changeCounts(getDb(), sessions.map((session) => session.id));
  // The generator adds a VTIMEZONE for each zone the events use.
  const cal = ical({ name, prodId: { company: "Liaison", product: "Program", language: "EN" }, timezone: { name: null, generator: getVtimezoneComponent } });
  for (const session of sessions) {
    const description = [session.speakers ? `With ${session.speakers}.` : "", session.abstract].filter(Boolean).join("\n\n");
    cal.createEvent({
      id: `${session.id}@liaison`,
      // A TZDate gives ical-generator the wall-clock time in the zone it labels the time with.
      start: new TZDate(session.startsAt, session.timeZone),
      end: new TZDate(session.endsAt, session.timeZone),
      timezone: session.timeZone,
      summary: session.status === "cancelled" ? `Cancelled: ${session.title}` : session.title,
      description,
      location: session.room ? `${session.room}, ${session.venue}` : session.venue,
      url: links.link(`/agenda/sessions/${session.id}`),
      status: session.status === "cancelled" ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      sequence: sequences.get(session.id) ?? 0,
      stamp: session.updatedAt,
      lastModified: session.updatedAt,
      categories: session.track ? [{ name: session.track }] : [],
    });
  }
  return cal.toString();
}

/** The program of an edition (the current one when slug is null), as the scope may see it. */
export async function programCalendar(scope: AccessScope, slug: string | null, links: Links): Promise<string> {
  const conference = await requireConference(slug);
  const sessions = await feedSessions(and(eq(programSessions.conferenceId, conference.id), sessionVisibleTo(scope)));
  return calendar(conference.name, sessions, links);
}

/** One session, when the scope may see it. */
export async function sessionCalendar(scope: AccessScope, sessionId: string, links: Links): Promise<string> {
  const sessions = await feedSessions(and(eq(programSessions.id, sessionId), sessionVisibleTo(scope)));
  if (sessions.length === 0) throw new NotFoundError();
  return calendar(sessions[0]!.title, sessions, links);
}

/**
 * The personal feed behind a secret token: the owner's starred sessions of the current edition, as the owner may see
 * them now. An unknown or revoked token, or a suspended owner, is not found.
 */
export async function personalCalendar(token: string, links: Links): Promise<string> {
  const db = getDb();
  const [owner] = await db
    .select({ id: users.id, status: users.status })
    .from(calendarFeeds)
    .innerJoin(users, eq(users.id, calendarFeeds.userId))
    .where(eq(calendarFeeds.tokenHash, hashToken(token)));
  if (!owner || owner.status !== "active") throw new NotFoundError();
  await db.update(calendarFeeds).set({ lastUsedAt: sql`now()` }).where(eq(calendarFeeds.userId, owner.id));
  const conference: ConferenceRow = await requireConference(null, db);
  const scope = (await accessScopesOfUsers(db, [owner.id])).get(owner.id)!;
  const starred = db.select({ id: sessionStars.sessionId }).from(sessionStars).where(eq(sessionStars.userId, owner.id));
  const sessions = await feedSessions(and(eq(programSessions.conferenceId, conference.id), inArray(programSessions.id, starred), sessionVisibleTo(scope)));
  return calendar(`My agenda: ${conference.name}`, sessions, links);
}

/**
 * A new secret address for the viewer's personal feed; the previous one, if any, stops working. Only the token's
 * hash is kept, so the address can be shown once, now.
 */
export async function createFeedToken(viewer: Pick<Viewer, "id">): Promise<string> {
  const token = generateToken();
  await getDb()
    .insert(calendarFeeds)
    .values({ userId: viewer.id, tokenHash: hashToken(token) })
    .onConflictDoUpdate({ target: calendarFeeds.userId, set: { tokenHash: hashToken(token), createdAt: sql`now()`, lastUsedAt: null } });
  return token;
}

export async function revokeFeed(viewer: Pick<Viewer, "id">): Promise<void> {
  await getDb().delete(calendarFeeds).where(eq(calendarFeeds.userId, viewer.id));
}

export async function getFeedStatus(viewer: Pick<Viewer, "id">): Promise<{ createdAt: Date; lastUsedAt: Date | null } | null> {
  const [row] = await getDb()
    .select({ createdAt: calendarFeeds.createdAt, lastUsedAt: calendarFeeds.lastUsedAt })
    .from(calendarFeeds)
    .where(eq(calendarFeeds.userId, viewer.id));
  return row ?? null;
}
