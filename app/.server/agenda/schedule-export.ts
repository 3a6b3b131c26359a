import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { programSessions, rooms, sessionSpeakers, speakers, tracks } from "#db/schema/agenda.ts";
import type { AccessScope } from "../access/audience.ts";
import { requireConference } from "./conferences.ts";
import type { Links } from "./feeds.ts";
import { daysFrom, dayOf, nextDay, startOfDayIn } from "./time.ts";
import { sessionVisibleTo } from "./visibility.ts";

/**
 * The schedule in the frab/pretalx JSON format (the c3voc schedule schema) that conference apps read: days in the
 * venue's calendar, each with its rooms and their events; times are the venue's, with their offset. Cancelled
 * sessions are left out, as those apps expect; sessions without a room are listed under the venue's name.
 */

const TYPE_NAMES = { plenary: "Plenary", panel: "Panel", breakout: "Breakout", workshop: "Workshop", networking: "Networking", break: "Break" } as const;

const iso = (instant: Date, zone: string) => format(new TZDate(instant, zone), "yyyy-MM-dd'T'HH:mm:ssxxx");
const clock = (instant: Date, zone: string) => format(new TZDate(instant, zone), "HH:mm");

function duration(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** frab wants a number as well as the guid: the first 32 bits of the UUID, the same on every export. */
function numericId(uuid: string): number {
  return Number.parseInt(uuid.replace(/-/g, "").slice(0, 8), 16);
}

export async function scheduleExport(scope: AccessScope, slug: string | null, links: Links) {
  const db = getDb();
  const conference = await requireConference(slug, db);
  const zone = conference.timeZone;
  const [roomRows, trackRows, sessionRows] = await Promise.all([
    db.select().from(rooms).where(eq(rooms.conferenceId, conference.id)).orderBy(asc(rooms.position)),
    db.select().from(tracks).where(eq(tracks.conferenceId, conference.id)).orderBy(asc(tracks.position)),
    db
      .select({
        id: programSessions.id,
        title: programSessions.title,
        type: programSessions.type,
        abstract: programSessions.abstract,
        startsAt: programSessions.startsAt,
        endsAt: programSessions.endsAt,
        room: rooms.name,
        trackId: programSessions.trackId,
        persons: sql<{ id: string; slug: string; name: string }[]>`coalesce((select json_agg(json_build_object('id', ${speakers.id}, 'slug', ${speakers.slug}, 'name', ${speakers.name}) order by ${sessionSpeakers.position})
          from ${sessionSpeakers} inner join ${speakers} on ${speakers.id} = ${sessionSpeakers.speakerId} where ${sessionSpeakers.sessionId} = ${programSessions.id}), '[]'::json)`,
      })
      .from(programSessions)
      // Drizzle names columns with their table only in a query with a join; the persons subquery needs that.
      .leftJoin(rooms, eq(rooms.id, programSessions.roomId))
      .where(and(eq(programSessions.conferenceId, conference.id), ne(programSessions.status, "cancelled"), sessionVisibleTo(scope)))
      .orderBy(asc(programSessions.startsAt), asc(programSessions.title)),
  ]);
  const trackNames = new Map(trackRows.map((track) => [track.id, track.name]));
  const venueRoom = { name: conference.venue, slug: "venue", guid: conference.id, capacity: null as number | null };
  const roomList = [...roomRows.map((room) => ({ name: room.name, slug: room.slug, guid: room.id, capacity: room.capacity })), venueRoom];

  const days = daysFrom(conference.startsOn, conference.endsOn).map((day, index) => {
    const start = startOfDayIn(day, zone);
    const end = new Date(startOfDayIn(nextDay(day), zone).getTime() - 1000);
    const byRoom: Record<string, unknown[]> = {};
    for (const session of sessionRows.filter((s) => dayOf(s.startsAt, zone) === day)) {
      const room = session.room ?? venueRoom.name;
      (byRoom[room] ??= []).push({
        guid: session.id,
        id: numericId(session.id),
        logo: null,
        date: iso(session.startsAt, zone),
        start: clock(session.startsAt, zone),
        duration: duration(Math.round((session.endsAt.getTime() - session.startsAt.getTime()) / 60_000)),
        room,
        slug: `${conference.slug}-${numericId(session.id)}`,
        url: links.link(`/agenda/sessions/${session.id}`),
        title: session.title,
        subtitle: "",
        track: session.trackId ? (trackNames.get(session.trackId) ?? null) : null,
        type: TYPE_NAMES[session.type],
        language: "en",
        abstract: session.abstract,
        description: "",
        recording_license: "",
        // Law-enforcement sessions are not recorded.
        do_not_record: true,
        persons: session.persons.map((person) => ({
          guid: person.id,
          name: person.name,
          public_name: person.name,
          biography: null,
          url: links.link(`/speakers/${person.slug}`),
        })),
        links: [],
        attachments: [],
      });
    }
    return { index: index + 1, date: day, day_start: iso(start, zone), day_end: iso(end, zone), rooms: byRoom };
  });

  return {
    $schema: "https://c3voc.de/schedule/schema.json",
    generator: { name: "Liaison", version: "1" },
    schedule: {
      version: `${conference.programVersion}`,
      base_url: links.link("/"),
      conference: {
        acronym: conference.slug,
        title: conference.name,
        start: conference.startsOn,
        end: conference.endsOn,
        daysCount: days.length,
        timeslot_duration: "00:15",
        time_zone_name: zone,
        url: links.link(conference.current ? "/agenda" : `/conferences/${conference.slug}/agenda`),
        rooms: roomList,
        tracks: trackRows.map((track) => ({ name: track.name, slug: track.slug, color: track.colour })),
        days,
      },
    },
  };
}
