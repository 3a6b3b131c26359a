import { and, asc, eq, sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { calendarFeeds, conferences, programSessions, rooms, sessionSpeakers, sessionStars, speakers, tracks } from "#db/schema/agenda.ts";
import type { Viewer } from "../accounts/sessions.ts";
import { accessScope } from "../access/audience.ts";
import { NotFoundError } from "../errors.ts";
import { groupByDay, header, sessionColumns, zoneView, type ConferenceHeader, type DaySessions, type SessionRow, type ZoneView } from "./program.ts";
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
 * overlapping choices flagged. One statement: the edition, the sessions and the feed's state together.
 */
export async function getPersonalAgenda(viewer: Viewer, requestedZone: string | null): Promise<PersonalAgenda> {
  const scope = accessScope(viewer);
  const rows = await getDb()
    .select({
      conference: conferences,
      session: sessionColumns(viewer.id),
      feedCreatedAt: sql<Date | null>`(select ${calendarFeeds.createdAt} from ${calendarFeeds} where ${calendarFeeds.userId} = ${viewer.id})`.mapWith(calendarFeeds.createdAt),
      feedLastUsedAt: sql<Date | null>`(select ${calendarFeeds.lastUsedAt} from ${calendarFeeds} where ${calendarFeeds.userId} = ${viewer.id})`.mapWith(calendarFeeds.lastUsedAt),
    })
    .from(conferences)
    .leftJoin(
      programSessions,
      and(
        eq(programSessions.conferenceId, conferences.id),
        sql`${programSessions.id} in (select ${sessionStars.sessionId} from ${sessionStars} where ${sessionStars.userId} = ${viewer.id})`,
        sessionVisibleTo(scope),
      ),
    )
    .leftJoin(rooms, eq(rooms.id, programSessions.roomId))
    .leftJoin(tracks, eq(tracks.id, programSessions.trackId))
    .where(eq(conferences.current, true))
    .orderBy(asc(programSessions.startsAt), sql`${rooms.position} nulls first`);
  const first = rows[0];
  if (!first) throw new NotFoundError("No conference program has been loaded yet.");
  const zone = zoneView(requestedZone, first.conference);
  const sessions = rows.flatMap((row) => (row.session.id ? [row.session as SessionRow] : []));
  const overlaps: Record<string, string[]> = {};
  const live = sessions.filter((session) => session.status !== "cancelled");
  for (let i = 0; i < live.length; i++) {
    for (let j = i + 1; j < live.length && live[j]!.startsAt < live[i]!.endsAt; j++) {
      (overlaps[live[i]!.id] ??= []).push(live[j]!.title);
      (overlaps[live[j]!.id] ??= []).push(live[i]!.title);
    }
  }
  return {
    conference: header(first.conference),
    zone,
    days: groupByDay(sessions, zone.active, viewer.id),
    count: sessions.length,
    overlaps,
    feed: first.feedCreatedAt ? { createdAt: first.feedCreatedAt, lastUsedAt: first.feedLastUsedAt } : null,
  };
}
