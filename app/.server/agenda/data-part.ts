import { asc, eq } from "drizzle-orm";
import { calendarFeeds, conferences, programSessions, sessionStars, speakers } from "#db/schema/agenda.ts";
import { dataPart } from "../data-rights/part.ts";

/**
 * The personal agenda: starred sessions, whether a calendar feed exists (never its token), and a speaker profile
 * linked to the account. Stars and the feed go with the user row; a speaker page stays, unlinked, as the program's.
 */
export const agendaDataPart = dataPart({
  name: "agenda",
  tables: [sessionStars, calendarFeeds, speakers],
  async export(tx, userId) {
    const stars = await tx
      .select({ conference: conferences.name, session: programSessions.title, startsAt: programSessions.startsAt, endsAt: programSessions.endsAt, starredAt: sessionStars.createdAt })
      .from(sessionStars)
      .innerJoin(programSessions, eq(programSessions.id, sessionStars.sessionId))
      .innerJoin(conferences, eq(conferences.id, programSessions.conferenceId))
      .where(eq(sessionStars.userId, userId))
      .orderBy(asc(programSessions.startsAt), asc(programSessions.id));
    const [feed] = await tx.select({ createdAt: calendarFeeds.createdAt, lastUsedAt: calendarFeeds.lastUsedAt }).from(calendarFeeds).where(eq(calendarFeeds.userId, userId));
    const speakerProfiles = await tx
      .select({ slug: speakers.slug, name: speakers.name, agency: speakers.agency, title: speakers.title, bioHtml: speakers.bioHtml, photoPath: speakers.photoPath, updatedAt: speakers.updatedAt })
      .from(speakers)
      .where(eq(speakers.userId, userId))
      .orderBy(asc(speakers.slug));
    return {
      agenda: {
        stars,
        calendarFeed: feed ? { exists: true, createdAt: feed.createdAt, lastUsedAt: feed.lastUsedAt } : { exists: false, createdAt: null, lastUsedAt: null },
        speakerProfiles,
      },
    };
  },
});
