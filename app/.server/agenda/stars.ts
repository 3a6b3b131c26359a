import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { getDb, type Database } from "#db/client.ts";
import { calendarFeeds, conferences, programSessions, sessionSpeakers, sessionStars, speakers } from "#db/schema/agenda.ts";
import type { Viewer } from "../accounts/sessions.ts";
import { accessScope } from "../access/audience.ts";
import { NotFoundError } from "../errors.ts";
import { groupByDay, header, inProgramOrder, publicCatalogue, selectSessions, zoneView, type ConferenceHeader, type DaySessions, type SessionRow, type ZoneView } from "./program.ts";
import { canSeeSession, sessionVisibleTo } from "./visibility.ts";

/**
 * Stars or unstars a session for the viewer's agenda. Doing it twice is the same as doing it once; a session the
 * viewer may not see cannot be starred (it is not found), though a star can always be taken back.
 */
export async function setStar(viewer: Viewer, sessionId: string, starred: boolean): Promise<{ starred: boolean }> {
  const db = getDb();
  if (!starred) {
    await db.delete(sessionStars).where(and(eq(sessionStars.userId, viewer.id), eq(sessionStars.sessionId, sessionId)));
    return { starred: false };
  }
  const [session] = await db
    .select({ audience: programSessions.audience, conferenceId: programSessions.conferenceId, published: conferences.published })
    .from(programSessions)
    .innerJoin(conferences, eq(conferences.id, programSessions.conferenceId))
    .where(eq(programSessions.id, sessionId));
  if (!session) throw new NotFoundError();
  const owners = await db
    .select({ userId: speakers.userId })
    .from(sessionSpeakers)
    .innerJoin(speakers, eq(speakers.id, sessionSpeakers.speakerId))
    .where(eq(sessionSpeakers.sessionId, sessionId));
  if (!canSeeSession(accessScope(viewer), { ...session, speakerUserIds: owners.map((o) => o.userId) })) throw new NotFoundError();
  await db.insert(sessionStars).values({ userId: viewer.id, sessionId }).onConflictDoNothing();
  return { starred: true };
}

const preparedStarsAndFeed = new WeakMap<Database, ReturnType<typeof prepareStarsAndFeed>>();

/**
 * One statement: a row per star, and one for the feed when there is one. A union costs the embedded database a third
 * of what subqueries of the user's row did, and it is built once per database (the personal agenda is a hot page).
 */
function prepareStarsAndFeed(db: Database) {
  const userId = sql.placeholder("userId");
  const noTime = sql`null::timestamptz`.mapWith(calendarFeeds.createdAt) as SQL<Date | null>;
  return db
    .select({ sessionId: sql<string | null>`${sessionStars.sessionId}`, feedCreatedAt: noTime, feedLastUsedAt: noTime })
    .from(sessionStars)
    .where(eq(sessionStars.userId, userId))
    .unionAll(
      db
        .select({ sessionId: sql<string | null>`null::uuid`, feedCreatedAt: calendarFeeds.createdAt, feedLastUsedAt: calendarFeeds.lastUsedAt })
        .from(calendarFeeds)
        .where(eq(calendarFeeds.userId, userId)),
    )
    .prepare("personal_agenda_stars");
}

function starsAndFeed(db: Database) {
  let prepared = preparedStarsAndFeed.get(db);
  if (!prepared) {
    prepared = prepareStarsAndFeed(db);
    preparedStarsAndFeed.set(db, prepared);
  }
  return prepared;
}

export type PersonalAgenda = {
  conference: ConferenceHeader;
  zone: ZoneView;
  days: DaySessions[];
  count: number;
  /** Session id → titles of the other starred sessions it overlaps (cancelled ones do not count). */
  overlaps: Record<string, string[]>;
  feed: { createdAt: Date; lastUsedAt: Date | null } | null;
};

/**
 * The viewer's starred sessions of the current edition that they may still see, by day in their zone, with
 * overlapping choices flagged. One statement reads the stars and the feed's state; the sessions come from the public
 * catalogue, and only stars outside it (sessions for attendees or members, an unpublished program) cost a second
 * statement, under the viewer's own scope.
 */
export async function getPersonalAgenda(viewer: Viewer, requestedZone: string | null): Promise<PersonalAgenda> {
  const db = getDb();
  const catalogue = await publicCatalogue();
  const { conference } = catalogue;
  const rows = await starsAndFeed(db).execute({ userId: viewer.id });
  const starredIds: string[] = [];
  let feed: PersonalAgenda["feed"] = null;
  for (const row of rows) {
    if (row.sessionId) starredIds.push(row.sessionId);
    else if (row.feedCreatedAt) feed = { createdAt: row.feedCreatedAt, lastUsedAt: row.feedLastUsedAt };
  }
  const sessions: SessionRow[] = [];
  const elsewhere: string[] = [];
  for (const id of starredIds) {
    const row = catalogue.sessions.get(id);
    if (row) sessions.push(row);
    else if (catalogue.ofEdition.has(id)) elsewhere.push(id);
  }
  if (elsewhere.length > 0) {
    const scope = accessScope(viewer);
    const visible = and(inArray(programSessions.id, elsewhere), sessionVisibleTo(scope, { published: conference.published }));
    sessions.push(...(await selectSessions(db, viewer.id, visible)));
  }
  sessions.sort(inProgramOrder);
  const zone = zoneView(requestedZone, conference);
  const overlaps: Record<string, string[]> = {};
  const live = sessions.filter((session) => session.status !== "cancelled");
  for (let i = 0; i < live.length; i++) {
    for (let j = i + 1; j < live.length && live[j]!.startsAt < live[i]!.endsAt; j++) {
      (overlaps[live[i]!.id] ??= []).push(live[j]!.title);
      (overlaps[live[j]!.id] ??= []).push(live[i]!.title);
    }
  }
  return {
    conference: header(conference),
    zone,
    days: groupByDay(sessions, zone.active, viewer.id, true),
    count: sessions.length,
    overlaps,
    feed,
  };
}
