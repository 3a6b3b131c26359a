import { and, asc, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { getDb, type Executor } from "#db/client.ts";
import {
  conferences,
  programSessions,
  rooms,
  sessionSpeakers,
  sessionStars,
  speakers,
  tracks,
  type SessionAudience,
  type SessionStatus,
  type SessionType,
} from "#db/schema/agenda.ts";
import { ANONYMOUS, isPublicScope, type AccessScope } from "../access/audience.ts";
import { perContentVersion } from "../content/version.ts";
import { NotFoundError } from "../errors.ts";
import { listProgramChanges } from "./changes.ts";
import { requireConference, requireProgramFrame, type ConferenceRow, type Edition } from "./conferences.ts";
import { canSeeSession, sessionVisibleTo } from "./visibility.ts";
import { atClock, clockOf, COMMON_ZONES, dayLabel, dayOf, dayRangeLabel, daysFrom, isDayKey, isTimeZone, nextDay, startOfDayIn, zoneLabel, type DayKey } from "./time.ts";

/**
 * The attendee views of a program: by day, by track, one session, the speakers. Each query carries the viewer's
 * access condition (visibility.ts), so a session a viewer may not see is absent from every list, count and search.
 * Loaders get compact, render-ready data: times already in the viewer's zone, no abstracts where no abstract shows.
 */

export type Viewing = {
  scope: AccessScope;
  /** The signed-in viewer, for their stars; null for anonymous viewers, whose pages are the same for everyone. */
  viewerId: string | null;
  /** The zone asked for (a `tz` parameter); anything that is not an IANA zone means the venue's. */
  zone: string | null;
};

export type ZoneView = {
  /** The zone times are shown in. */
  active: string;
  venue: string;
  /** "New York time (GMT-4)" */
  label: string;
  /** What links carry as `tz`: the active zone when the viewer chose one other than the venue's. */
  param: string | null;
  /** The zones the switch offers: the venue's first. */
  choices: { value: string; label: string }[];
};

const zoneViews = new Map<string, ZoneView>();

/** The same few views serve every request (a venue, a start, a zone asked for): they are built once each. */
export function zoneView(requested: string | null, conference: ConferenceRow): ZoneView {
  const venue = conference.timeZone;
  const active = requested && isTimeZone(requested) ? requested : venue;
  const key = `${active} ${venue} ${conference.startsOn}`;
  let view = zoneViews.get(key);
  if (!view) {
    view = buildZoneView(active, venue, conference.startsOn);
    if (zoneViews.size >= 1_000) zoneViews.clear();
    zoneViews.set(key, view);
  }
  return view;
}

function buildZoneView(active: string, venue: string, startsOn: DayKey): ZoneView {
  const at = startOfDayIn(startsOn, venue);
  const zones = [venue, ...COMMON_ZONES.filter((zone) => zone !== venue)];
  if (!zones.includes(active)) zones.push(active);
  return {
    active,
    venue,
    label: zoneLabel(active, at),
    param: active === venue ? null : active,
    choices: zones.map((zone) => ({ value: zone, label: zone === venue ? `${zoneLabel(zone, at)}, the venue` : zoneLabel(zone, at) })),
  };
}

export type ConferenceHeader = {
  slug: string;
  name: string;
  city: string;
  venue: string;
  dates: string;
  current: boolean;
  published: boolean;
};

export function header(conference: ConferenceRow): ConferenceHeader {
  return {
    slug: conference.slug,
    name: conference.name,
    city: conference.city,
    venue: conference.venue,
    dates: dayRangeLabel(conference.startsOn, conference.endsOn),
    current: conference.current,
    published: conference.published,
  };
}

/** One session as lists show it. */
export type SessionItem = {
  id: string;
  title: string;
  type: SessionType;
  /** Clock times in the active zone; `endsNextDay` when the end falls on the following day there. */
  start: string;
  end: string;
  endsNextDay: boolean;
  room: string | null;
  /** One object per track, shared by its sessions: the client is sent it once per page. */
  track: TrackLabel | null;
  speakers: string;
  status: SessionStatus;
  audience: SessionAudience;
  /** Only for a signed-in viewer. */
  starred?: boolean;
};

export type TrackLabel = { slug: string; name: string; colour: string };

export type SessionRow = {
  id: string;
  title: string;
  type: SessionType;
  startsAt: Date;
  endsAt: Date;
  roomId: string | null;
  roomName: string | null;
  roomPosition: number | null;
  trackSlug: string | null;
  trackName: string | null;
  trackColour: string | null;
  speakers: string;
  status: SessionStatus;
  audience: SessionAudience;
  capacity: number | null;
  starred: boolean;
};

export function sessionColumns(viewerId: string | null) {
  return {
    id: programSessions.id,
    title: programSessions.title,
    type: programSessions.type,
    startsAt: programSessions.startsAt,
    endsAt: programSessions.endsAt,
    roomId: programSessions.roomId,
    roomName: rooms.name,
    roomPosition: rooms.position,
    trackSlug: tracks.slug,
    trackName: tracks.name,
    trackColour: tracks.colour,
    speakers: sql<string>`coalesce((select string_agg(${speakers.name}, ', ' order by ${sessionSpeakers.position}) from ${sessionSpeakers}
      inner join ${speakers} on ${speakers.id} = ${sessionSpeakers.speakerId} where ${sessionSpeakers.sessionId} = ${programSessions.id}), '')`,
    status: programSessions.status,
    audience: programSessions.audience,
    capacity: programSessions.capacity,
    starred: viewerId
      ? sql<boolean>`exists (select 1 from ${sessionStars} where ${sessionStars.sessionId} = ${programSessions.id} and ${sessionStars.userId} = ${viewerId})`
      : sql<boolean>`false`,
  };
}

/** Program order: by start, sessions without a room first, then by room and title. */
export function inProgramOrder(a: SessionRow, b: SessionRow): number {
  return a.startsAt.getTime() - b.startsAt.getTime() || (a.roomPosition ?? -1) - (b.roomPosition ?? -1) || a.title.localeCompare(b.title);
}

export type PublicCatalogue = {
  conference: ConferenceRow;
  /** The sessions anyone may see. */
  sessions: ReadonlyMap<string, SessionRow>;
  /** Every session of the edition, seen or not: which stars belong to it (never shown). */
  ofEdition: ReadonlySet<string>;
};

/**
 * The current edition's sessions that anyone may see, by id: read once per content version. A signed-in page about a
 * few of them (the personal agenda) takes them from here instead of reading them again; whatever is not here it reads
 * with the viewer's own scope.
 */
export function publicCatalogue(): Promise<PublicCatalogue> {
  return perContentVersion("public-catalogue", async () => {
    const db = getDb();
    const { conference } = await requireProgramFrame(null, ANONYMOUS, (edition) => sessionVisibleTo(ANONYMOUS, edition), db);
    const rows = await selectSessions(db, null, and(eq(programSessions.conferenceId, conference.id), sessionVisibleTo(ANONYMOUS, { published: conference.published })));
    const all = await db.select({ id: programSessions.id }).from(programSessions).where(eq(programSessions.conferenceId, conference.id));
    return { conference, sessions: new Map(rows.map((row) => [row.id, row])), ofEdition: new Set(all.map((row) => row.id)) };
  });
}

export async function selectSessions(tx: Executor, viewerId: string | null, where: SQL | undefined): Promise<SessionRow[]> {
  return tx
    .select(sessionColumns(viewerId))
    .from(programSessions)
    .leftJoin(rooms, eq(rooms.id, programSessions.roomId))
    .leftJoin(tracks, eq(tracks.id, programSessions.trackId))
    .where(where)
    .orderBy(asc(programSessions.startsAt), sql`${rooms.position} nulls first`, asc(programSessions.title));
}

const trackLabels = new Map<string, TrackLabel>();

function trackLabel(slug: string, name: string, colour: string): TrackLabel {
  const key = `${slug}\n${name}\n${colour}`;
  let label = trackLabels.get(key);
  if (!label) {
    if (trackLabels.size >= 1_000) trackLabels.clear();
    trackLabels.set(key, (label = { slug, name, colour }));
  }
  return label;
}

type Shown = { item: SessionItem; day: DayKey };
const shownByZone = new WeakMap<SessionRow, Map<string, Shown>>();

/**
 * A row as shown in a zone, and the day it starts on there. Kept per row object: the public catalogue's rows are
 * shown again on every personal agenda, and the clock arithmetic is most of what showing them costs.
 */
function shownIn(row: SessionRow, zone: string): Shown {
  let byZone = shownByZone.get(row);
  if (!byZone) shownByZone.set(row, (byZone = new Map()));
  let shown = byZone.get(zone);
  if (!shown) {
    const day = dayOf(row.startsAt, zone);
    shown = {
      day,
      item: {
        id: row.id,
        title: row.title,
        type: row.type,
        start: clockOf(row.startsAt, zone),
        end: clockOf(row.endsAt, zone),
        endsNextDay: dayOf(row.endsAt, zone) !== day,
        room: row.roomName,
        track: row.trackSlug ? trackLabel(row.trackSlug, row.trackName!, row.trackColour!) : null,
        speakers: row.speakers,
        status: row.status,
        audience: row.audience,
      },
    };
    byZone.set(zone, shown);
  }
  return shown;
}

/** The kept item is shared: a signed-in viewer's star goes on a copy. */
function item(row: SessionRow, zone: string, viewerId: string | null, starred = row.starred): SessionItem {
  const shown = shownIn(row, zone).item;
  return viewerId ? { ...shown, starred } : shown;
}

export type DaySessions = { day: DayKey; label: string; sessions: SessionItem[] };

/** Sessions grouped by the day they start on in the zone, in order; `starred` when the viewer starred them all. */
export function groupByDay(rows: SessionRow[], zone: string, viewerId: string | null, starred?: boolean): DaySessions[] {
  const days: DaySessions[] = [];
  for (const row of rows) {
    const { day } = shownIn(row, zone);
    let group = days.at(-1);
    if (group?.day !== day) {
      group = { day, label: dayLabel(day), sessions: [] };
      days.push(group);
    }
    group.sessions.push(item(row, zone, viewerId, starred ?? row.starred));
  }
  return days;
}

/** A prefix query for Postgres full-text search: every word the term has, each as the start of a word. */
export function prefixQuery(term: string): string | null {
  const words = term.toLowerCase().match(/[\p{L}\p{N}]+/gu)?.slice(0, 8) ?? [];
  return words.length > 0 ? words.map((word) => `${word}:*`).join(" & ") : null;
}

function matches(query: string): SQL {
  const q = sql`to_tsquery('english', ${query})`;
  return sql`(${programSessions.search} @@ ${q} or exists (select 1 from ${sessionSpeakers} inner join ${speakers} on ${speakers.id} = ${sessionSpeakers.speakerId}
    where ${sessionSpeakers.sessionId} = ${programSessions.id} and ${speakers.search} @@ ${q}))`;
}

export const GRID_SLOT_MINUTES = 15;
/** The stylesheet has row classes up to this many slots (a day and a bit). */
export const GRID_MAX_ROWS = 104;

/** A session placed on the day grid: rows count 15-minute slots from the grid's first hour; column 0 spans every room. */
export type GridSession = SessionItem & { row: number; span: number; column: number };

export type DayGrid = {
  rooms: string[];
  /** Labels of the full hours down the side, with their rows. */
  hours: { row: number; label: string }[];
  rows: number;
  sessions: GridSession[];
};

function layoutDay(rows: SessionRow[], roomIds: string[], roomNames: string[], zone: string, day: DayKey, viewerId: string | null): DayGrid {
  if (rows.length === 0) return { rooms: roomNames, hours: [], rows: 0, sessions: [] };
  const slot = GRID_SLOT_MINUTES * 60_000;
  // The grid starts at the full hour (in the zone) of the day's first session.
  const origin = atClock(day, `${clockOf(rows[0]!.startsAt, zone).slice(0, 2)}:00`, zone).getTime();
  const sessions = rows.map((row) => {
    const start = Math.floor((row.startsAt.getTime() - origin) / slot);
    const span = Math.max(1, Math.ceil((row.endsAt.getTime() - origin) / slot) - start);
    const row0 = Math.min(start, GRID_MAX_ROWS - 1);
    return {
      ...item(row, zone, viewerId),
      row: row0 + 1,
      span: Math.min(span, GRID_MAX_ROWS - row0),
      column: row.roomId ? roomIds.indexOf(row.roomId) + 1 : 0,
    };
  });
  const used = Math.max(...sessions.map((s) => s.row + s.span - 1));
  const hours: DayGrid["hours"] = [];
  for (let r = 1; r <= used; r += 60 / GRID_SLOT_MINUTES) hours.push({ row: r, label: clockOf(new Date(origin + (r - 1) * slot), zone) });
  return { rooms: roomNames, hours, rows: used, sessions };
}

export type AgendaFilters = { day: string | null; track: string | null; type: string | null; q: string };

export type AgendaView = {
  conference: ConferenceHeader;
  zone: ZoneView;
  editions: Edition[];
  tracks: { slug: string; name: string; colour: string }[];
  days: { day: DayKey; label: string }[];
  filters: { day: DayKey | null; track: string | null; type: SessionType | null; q: string };
  /** The chosen day on a grid; null while searching. */
  grid: DayGrid | null;
  /** Search results by day; null when not searching. */
  results: DaySessions[] | null;
};

const TYPES = new Set<string>(["plenary", "panel", "breakout", "workshop", "networking", "break"]);

/**
 * The program of an edition (the current one when `slug` is null) for one day on a grid of rooms against time, or,
 * with a search term, the matching sessions of every day. Track and type filter both.
 */
export async function getAgenda(viewing: Viewing, slug: string | null, filters: AgendaFilters, today = new Date()): Promise<AgendaView> {
  const db = getDb();
  const frame = await requireProgramFrame(slug, viewing.scope, (edition) => sessionVisibleTo(viewing.scope, edition), db);
  const { conference, tracks: trackRows, rooms: roomRows, first, last, editions } = frame;
  const zone = zoneView(viewing.zone, conference);
  const visible = and(eq(programSessions.conferenceId, conference.id), sessionVisibleTo(viewing.scope, { published: conference.published }));
  const track = trackRows.find((t) => t.slug === filters.track) ?? null;
  const type = filters.type && TYPES.has(filters.type) ? (filters.type as SessionType) : null;
  const days = (first && last ? daysFrom(dayOf(first, zone.active), dayOf(last, zone.active)) : daysFrom(conference.startsOn, conference.endsOn)).map(
    (day) => ({ day, label: dayLabel(day) }),
  );
  const todayKey = dayOf(today, zone.active);
  const day =
    filters.day && isDayKey(filters.day) && days.some((d) => d.day === filters.day)
      ? filters.day
      : days.some((d) => d.day === todayKey)
        ? todayKey
        : (days[0]?.day ?? conference.startsOn);
  const narrowed = and(visible, track ? eq(programSessions.trackId, track.id) : undefined, type ? eq(programSessions.type, type) : undefined);
  const query = prefixQuery(filters.q);
  const base = {
    conference: header(conference),
    zone,
    editions,
    tracks: trackRows.map(({ slug: s, name, colour }) => ({ slug: s, name, colour })),
    days,
    filters: { day: query ? null : day, track: track?.slug ?? null, type, q: filters.q },
  };
  if (query) {
    const rows = await selectSessions(db, viewing.viewerId, and(narrowed, matches(query)));
    return { ...base, grid: null, results: groupByDay(rows, zone.active, viewing.viewerId) };
  }
  const readDay = async () => {
    const rows = await selectSessions(
      db,
      viewing.viewerId,
      and(narrowed, gte(programSessions.startsAt, startOfDayIn(day, zone.active)), lt(programSessions.startsAt, startOfDayIn(nextDay(day), zone.active))),
    );
    return layoutDay(rows, roomRows.map((r) => r.id), roomRows.map((r) => r.name), zone.active, day, viewing.viewerId);
  };
  // An anonymous visitor's day depends on published content and the address only, like the frame around it.
  const grid = isPublicScope(viewing.scope) && viewing.viewerId === null
    ? await perContentVersion(`program-day ${conference.id} ${day} ${track?.id ?? ""} ${type ?? ""} ${zone.active}`, readDay)
    : await readDay();
  return { ...base, grid, results: null };
}

export type TrackView = {
  conference: ConferenceHeader;
  zone: ZoneView;
  track: { slug: string; name: string; colour: string };
  days: DaySessions[];
};

/** The sessions of one track of the current edition, by day. */
export async function getTrackAgenda(viewing: Viewing, trackSlug: string): Promise<TrackView> {
  const db = getDb();
  const conference = await requireConference(null, db);
  const [track] = await db
    .select({ id: tracks.id, slug: tracks.slug, name: tracks.name, colour: tracks.colour })
    .from(tracks)
    .where(and(eq(tracks.conferenceId, conference.id), eq(tracks.slug, trackSlug)));
  if (!track) throw new NotFoundError();
  const zone = zoneView(viewing.zone, conference);
  const rows = await selectSessions(
    db,
    viewing.viewerId,
    and(eq(programSessions.conferenceId, conference.id), eq(programSessions.trackId, track.id), sessionVisibleTo(viewing.scope)),
  );
  return { conference: header(conference), zone, track: { slug: track.slug, name: track.name, colour: track.colour }, days: groupByDay(rows, zone.active, viewing.viewerId) };
}

export type SessionView = {
  conference: ConferenceHeader;
  zone: ZoneView;
  session: SessionItem & { day: string; abstractHtml: string; capacity: number | null; roomCapacity: number | null };
  speakers: { slug: string; name: string; agency: string; title: string }[];
  changes: { id: number; at: string; kind: string; summary: string }[];
};

/** One session, when the viewer may see it; otherwise NotFoundError, as if it did not exist. */
export async function getSessionView(viewing: Viewing, sessionId: string): Promise<SessionView> {
  const db = getDb();
  const [row] = await db
    .select({
      ...sessionColumns(viewing.viewerId),
      conferenceId: programSessions.conferenceId,
      abstractHtml: programSessions.abstractHtml,
      roomCapacity: rooms.capacity,
    })
    .from(programSessions)
    .leftJoin(rooms, eq(rooms.id, programSessions.roomId))
    .leftJoin(tracks, eq(tracks.id, programSessions.trackId))
    .where(eq(programSessions.id, sessionId));
  if (!row) throw new NotFoundError();
  const [conference] = await db.select().from(conferences).where(eq(conferences.id, row.conferenceId));
  const people = await db
    .select({ slug: speakers.slug, name: speakers.name, agency: speakers.agency, title: speakers.title, userId: speakers.userId })
    .from(sessionSpeakers)
    .innerJoin(speakers, eq(speakers.id, sessionSpeakers.speakerId))
    .where(eq(sessionSpeakers.sessionId, sessionId))
    .orderBy(asc(sessionSpeakers.position));
  const access = { audience: row.audience, conferenceId: row.conferenceId, published: conference!.published, speakerUserIds: people.map((p) => p.userId) };
  if (!canSeeSession(viewing.scope, access)) throw new NotFoundError();
  const zone = zoneView(viewing.zone, conference!);
  const changes = (await listProgramChanges(db, viewing.scope, conference!.id)).filter((change) => change.sessionId === sessionId);
  return {
    conference: header(conference!),
    zone,
    session: { ...item(row, zone.active, viewing.viewerId), day: dayLabel(dayOf(row.startsAt, zone.active)), abstractHtml: row.abstractHtml, capacity: row.capacity, roomCapacity: row.roomCapacity },
    speakers: people.map(({ slug, name, agency, title }) => ({ slug, name, agency, title })),
    changes: changes.map((change) => ({ id: change.id, at: change.at.toISOString(), kind: change.kind, summary: describeChange(change, zone.active) })),
  };
}

/** "Moved from Mon 7 June 15:30–17:00, Chesapeake B to Mon 7 June 16:00–17:30, Chesapeake B" */
export function describeChange(change: { kind: string; from: Slot; to: Slot }, zone: string): string {
  const slot = (s: Slot) => `${dayLabel(dayOf(s.startsAt, zone))} ${clockOf(s.startsAt, zone)}–${clockOf(s.endsAt, zone)}${s.room ? `, ${s.room}` : ""}`;
  if (change.kind === "cancelled") return `Cancelled (was ${slot(change.from)})`;
  if (change.kind === "reinstated") return `Back on the program: ${slot(change.to)}`;
  return `Moved from ${slot(change.from)} to ${slot(change.to)}`;
}

type Slot = { startsAt: Date; endsAt: Date; room: string | null };

export type ChangelogView = {
  conference: ConferenceHeader;
  zone: ZoneView;
  changes: { id: number; at: string; sessionId: string; title: string; kind: string; summary: string }[];
};

/** The public changelog of the current edition, as the viewer may read it. */
export async function getChangelog(viewing: Viewing): Promise<ChangelogView> {
  const db = getDb();
  const conference = await requireConference(null, db);
  const zone = zoneView(viewing.zone, conference);
  const changes = await listProgramChanges(db, viewing.scope, conference.id);
  return {
    conference: header(conference),
    zone,
    changes: changes.map((change) => ({
      id: change.id,
      at: `${dayLabel(dayOf(change.at, zone.active))} ${clockOf(change.at, zone.active)}`,
      sessionId: change.sessionId,
      title: change.title,
      kind: change.kind,
      summary: describeChange(change, zone.active),
    })),
  };
}

export type SpeakerSummary = { slug: string; name: string; agency: string; title: string; sessions: number };

/** The speakers of the current edition who have at least one session the viewer may see, by name. */
export async function listSpeakers(scope: AccessScope): Promise<{ conference: ConferenceHeader; speakers: SpeakerSummary[] }> {
  const db = getDb();
  const conference = await requireConference(null, db);
  const rows = await db
    .select({ slug: speakers.slug, name: speakers.name, agency: speakers.agency, title: speakers.title, sessions: sql<number>`count(*)::int` })
    .from(speakers)
    .innerJoin(sessionSpeakers, eq(sessionSpeakers.speakerId, speakers.id))
    .innerJoin(programSessions, eq(programSessions.id, sessionSpeakers.sessionId))
    .where(and(eq(programSessions.conferenceId, conference.id), sessionVisibleTo(scope)))
    .groupBy(speakers.id)
    .orderBy(asc(speakers.name));
  return { conference: header(conference), speakers: rows.map((row) => ({ ...row, sessions: Number(row.sessions) })) };
}

export type SpeakerView = {
  zone: ZoneView;
  speaker: { slug: string; name: string; agency: string; title: string; bioHtml: string; photoPath: string | null };
  editions: { conference: ConferenceHeader; days: DaySessions[] }[];
};

/**
 * A speaker and the sessions of theirs the viewer may see, by edition (newest first). A speaker with no such session
 * is not found: that they speak at all could be what a restricted session reveals.
 */
export async function getSpeakerView(viewing: Viewing, slug: string): Promise<SpeakerView> {
  const db = getDb();
  const [speaker] = await db.select().from(speakers).where(eq(speakers.slug, slug));
  if (!speaker) throw new NotFoundError();
  const rows = await db
    .select({ ...sessionColumns(viewing.viewerId), conferenceId: programSessions.conferenceId })
    .from(programSessions)
    .innerJoin(sessionSpeakers, and(eq(sessionSpeakers.sessionId, programSessions.id), eq(sessionSpeakers.speakerId, speaker.id)))
    .leftJoin(rooms, eq(rooms.id, programSessions.roomId))
    .leftJoin(tracks, eq(tracks.id, programSessions.trackId))
    .where(sessionVisibleTo(viewing.scope))
    .orderBy(asc(programSessions.startsAt));
  if (rows.length === 0) throw new NotFoundError();
  const editionRows = await db.select().from(conferences).orderBy(desc(conferences.startsOn));
  const current = editionRows.find((c) => c.current) ?? editionRows[0]!;
  const zone = zoneView(viewing.zone, current);
  const editions = editionRows
    .map((conference) => {
      const own = rows.filter((row) => row.conferenceId === conference.id);
      // A past edition is shown in its own venue's zone unless the viewer chose one.
      const active = viewing.zone && isTimeZone(viewing.zone) ? viewing.zone : conference.timeZone;
      return { conference: header(conference), days: groupByDay(own, active, viewing.viewerId) };
    })
    .filter((edition) => edition.days.length > 0);
  return {
    zone,
    speaker: { slug: speaker.slug, name: speaker.name, agency: speaker.agency, title: speaker.title, bioHtml: speaker.bioHtml, photoPath: speaker.photoPath },
    editions,
  };
}
