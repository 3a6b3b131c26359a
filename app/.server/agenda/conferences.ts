import { and, asc, desc, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import { getDb, type Executor } from "#db/client.ts";
import { conferences, programSessions, rooms, tracks, type Conference } from "#db/schema/agenda.ts";
import { NotFoundError } from "../errors.ts";
import { isPublicScope, type AccessScope } from "../access/audience.ts";
import { CONTENT_SLUG } from "../content/source.ts";
import { perContentVersion } from "../content/version.ts";
import { dayRangeLabel, startOfDayIn, zoneLabel } from "./time.ts";

export type Announcement = {
  name: string;
  /** 7–11 June 2027 */
  dates: string;
  venue: string;
  city: string;
  /** New York time (GMT-4) */
  zone: string;
  registration: { state: "not_open" | "open" | "closed"; opens: string | null; closes: string | null };
  organizerEmail: string;
  programPublished: boolean;
};

export type ConferenceRow = Conference;

/** The current edition, or null before any program was loaded. */
export async function getCurrentConference(tx: Executor = getDb()): Promise<ConferenceRow | null> {
  const [row] = await tx.select().from(conferences).where(eq(conferences.current, true));
  return row ?? null;
}

/** An edition by slug, or the current one; NotFoundError when there is none. */
export async function requireConference(slug: string | null, tx: Executor = getDb()): Promise<ConferenceRow> {
  if (slug !== null && !CONTENT_SLUG.test(slug)) throw new NotFoundError();
  const [row] = await tx
    .select()
    .from(conferences)
    .where(slug === null ? eq(conferences.current, true) : eq(conferences.slug, slug));
  if (!row) throw new NotFoundError(slug === null ? "No conference program has been loaded yet." : undefined);
  return row;
}

export type Edition = { slug: string; name: string; startsOn: string; city: string; current: boolean };

/** The editions whose program a viewer may browse (drafts only for staff), newest first. */
export async function listEditions(scope: AccessScope, tx: Executor = getDb()): Promise<Edition[]> {
  return tx
    .select({ slug: conferences.slug, name: conferences.name, startsOn: conferences.startsOn, city: conferences.city, current: conferences.current })
    .from(conferences)
    .where(scope.staff ? undefined : eq(conferences.published, true))
    .orderBy(desc(conferences.startsOn), asc(conferences.name));
}

/** What the home page says about the current edition: facts only, the same for every visitor, kept per content version. */
export function getConferenceAnnouncement(): Promise<Announcement | null> {
  return perContentVersion("conference-announcement", readAnnouncement);
}

async function readAnnouncement(): Promise<Announcement | null> {
  const [row] = await getDb()
    .select({
      name: conferences.name,
      startsOn: conferences.startsOn,
      endsOn: conferences.endsOn,
      venue: conferences.venue,
      city: conferences.city,
      timeZone: conferences.timeZone,
      registrationState: conferences.registrationState,
      registrationOpensOn: conferences.registrationOpensOn,
      registrationClosesOn: conferences.registrationClosesOn,
      organizerEmail: conferences.organizerEmail,
      published: conferences.published,
    })
    .from(conferences)
    .where(eq(conferences.current, true));
  if (!row) return null;
  const day = (value: string | null) => (value ? dayRangeLabel(value, value) : null);
  return {
    name: row.name,
    dates: dayRangeLabel(row.startsOn, row.endsOn),
    venue: row.venue,
    city: row.city,
    zone: zoneLabel(row.timeZone, startOfDayIn(row.startsOn, row.timeZone)),
    registration: { state: row.registrationState, opens: day(row.registrationOpensOn), closes: day(row.registrationClosesOn) },
    organizerEmail: row.organizerEmail,
    programPublished: row.published,
  };
}

export type ProgramFrame = {
  conference: ConferenceRow;
  tracks: { id: string; slug: string; name: string; colour: string }[];
  rooms: { id: string; name: string }[];
  /** The first and last start among the sessions the viewer may see; null when they see none. */
  first: Date | null;
  last: Date | null;
  editions: Edition[];
};

/** Drivers differ on json results: postgres.js may hand back text, PGlite parsed values. */
function fromJson<T>(value: unknown): T {
  return (typeof value === "string" ? JSON.parse(value) : value) as T;
}

function asDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(value as string | Date);
}

/**
 * An edition with its tracks, rooms, the span of the sessions `visible` lets the viewer see, and the editions the
 * viewer may browse: what every program page is framed by, in one statement (on the embedded database each statement
 * costs about a millisecond of CPU, whatever it reads).
 */
export async function requireProgramFrame(
  slug: string | null,
  scope: AccessScope,
  visible: (edition: { published: SQL }) => SQL,
  tx: Executor = getDb(),
): Promise<ProgramFrame> {
  if (slug !== null && !CONTENT_SLUG.test(slug)) throw new NotFoundError();
  // What an anonymous visitor sees depends on published content only: the same frame until the content changes.
  if (isPublicScope(scope) && tx === getDb()) {
    return perContentVersion(`program-frame ${slug ?? ""}`, () => readProgramFrame(slug, scope, visible, tx));
  }
  return readProgramFrame(slug, scope, visible, tx);
}

async function readProgramFrame(slug: string | null, scope: AccessScope, visible: (edition: { published: SQL }) => SQL, tx: Executor): Promise<ProgramFrame> {
  // Drizzle leaves columns unqualified in a one-table select, so the outer edition is named explicitly.
  const editionId = sql`${conferences}.${sql.identifier("id")}`;
  const ofThisEdition = and(sql`${programSessions.conferenceId} = ${editionId}`, visible({ published: sql`${conferences}.${sql.identifier("published")}` }));
  const [row] = await tx
    .select({
      conference: getTableColumns(conferences),
      tracks: sql<unknown>`coalesce((select json_agg(json_build_object('id', ${tracks.id}, 'slug', ${tracks.slug}, 'name', ${tracks.name}, 'colour', ${tracks.colour}) order by ${tracks.position})
        from ${tracks} where ${tracks.conferenceId} = ${editionId}), '[]'::json)`,
      rooms: sql<unknown>`coalesce((select json_agg(json_build_object('id', ${rooms.id}, 'name', ${rooms.name}) order by ${rooms.position})
        from ${rooms} where ${rooms.conferenceId} = ${editionId}), '[]'::json)`,
      span: sql<unknown>`(select json_build_object('first', min(${programSessions.startsAt}), 'last', max(${programSessions.startsAt})) from ${programSessions} where ${ofThisEdition})`,
      editions: sql<unknown>`(select coalesce(json_agg(json_build_object('slug', e.slug, 'name', e.name, 'startsOn', e.starts_on, 'city', e.city, 'current', e.current)
        order by e.starts_on desc, e.name), '[]'::json) from ${conferences} e where ${scope.staff ? sql`true` : sql`e.published`})`,
    })
    .from(conferences)
    .where(slug === null ? eq(conferences.current, true) : eq(conferences.slug, slug));
  if (!row) throw new NotFoundError(slug === null ? "No conference program has been loaded yet." : undefined);
  const span = fromJson<{ first: string | null; last: string | null }>(row.span);
  return {
    conference: row.conference,
    tracks: fromJson(row.tracks),
    rooms: fromJson(row.rooms),
    first: asDate(span.first),
    last: asDate(span.last),
    editions: fromJson(row.editions),
  };
}
