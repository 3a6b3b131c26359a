import { and, eq, inArray, sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
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
  // Drizzle leaves columns unqualified in a one-table select: the viewer's row is named explicitly.
  const userId = sql`${users}.${sql.identifier("id")}`;
  const [mine] = await db
    .select({
      starred: sql<string | null>`(select string_agg(${sessionStars.sessionId}::text, ',') from ${sessionStars} where ${sessionStars.userId} = ${userId})`,
      feedCreatedAt: sql<Date | null>`(select ${calendarFeeds.createdAt} from ${calendarFeeds} where ${calendarFeeds.userId} = ${userId})`.mapWith(calendarFeeds.createdAt),
      feedLastUsedAt: sql<Date | null>`(select ${calendarFeeds.lastUsedAt} from ${calendarFeeds} where ${calendarFeeds.userId} = ${userId})`.mapWith(calendarFeeds.lastUsedAt),
    })
    .from(users)
    .where(eq(users.id, viewer.id));
  const starredIds = mine?.starred ? mine.starred.split(",") : [];
  const sessions: SessionRow[] = [];
  const elsewhere: string[] = [];
  for (const id of starredIds) {
    const row = catalogue.sessions.get(id);
    if (row) sessions.push({ ...row, starred: true });
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
    days: groupByDay(sessions, zone.active, viewer.id),
    count: sessions.length,
    overlaps,
    feed: mine?.feedCreatedAt ? { createdAt: mine.feedCreatedAt, lastUsedAt: mine.feedLastUsedAt } : null,
  };
}
