import { asc, desc, eq } from "drizzle-orm";
import { getDb, type Executor } from "#db/client.ts";
import { conferences, type Conference } from "#db/schema/agenda.ts";
import { NotFoundError } from "../errors.ts";
import type { AccessScope } from "../access/audience.ts";
import { CONTENT_SLUG } from "../content/source.ts";
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

/** What the home page says about the current edition: facts only, the same for every visitor. */
export async function getConferenceAnnouncement(tx: Executor = getDb()): Promise<Announcement | null> {
  const [row] = await tx
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
