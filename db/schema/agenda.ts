import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { users } from "./accounts.ts";

const tsvector = customType<{ data: string }>({
  dataType: () => "tsvector",
});

/** A copy of a session's time for the speakers' exclusion constraint (kept in step by a trigger, see the migration). */
const tstzrange = customType<{ data: string }>({
  dataType: () => "tstzrange",
});

export const REGISTRATION_STATES = ["not_open", "open", "closed"] as const;
export type RegistrationState = (typeof REGISTRATION_STATES)[number];

export const SESSION_TYPES = ["plenary", "panel", "breakout", "workshop", "networking", "break"] as const;
export type SessionType = (typeof SESSION_TYPES)[number];

/** Who may see a session: the subset of the access model's audiences (app/.server/access/audience.ts) a program uses. */
export const SESSION_AUDIENCES = ["public", "attendees", "members"] as const;
export type SessionAudience = (typeof SESSION_AUDIENCES)[number];

export const SESSION_STATUSES = ["scheduled", "moved", "cancelled"] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

const listed = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(", "));

/** An edition of the conference. Dates are the venue's calendar days; times of day belong to its time zone. */
export const conferences = pgTable(
  "conferences",
  {
    id: uuid().primaryKey().defaultRandom(),
    slug: text().notNull(),
    name: text().notNull(),
    startsOn: date({ mode: "string" }).notNull(),
    endsOn: date({ mode: "string" }).notNull(),
    venue: text().notNull(),
    city: text().notNull(),
    /** IANA name, e.g. America/New_York. */
    timeZone: text().notNull(),
    registrationState: text().$type<RegistrationState>().notNull().default("not_open"),
    registrationOpensOn: date({ mode: "string" }),
    registrationClosesOn: date({ mode: "string" }),
    organizerEmail: text().notNull(),
    descriptionHtml: text().notNull().default(""),
    current: boolean().notNull().default(false),
    /** Once published, the program is public (to its audiences) and every change to it is recorded and announced. */
    published: boolean().notNull().default(false),
    /** Goes up with every change to the program: a cheap key for caches and feeds. */
    programVersion: integer().notNull().default(1),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("conferences_slug_key").on(t.slug),
    // At most one current edition; the import and the editor keep it at exactly one.
    uniqueIndex("conferences_one_current").on(t.current).where(sql`${t.current}`),
    check("conferences_dates_ordered", sql`${t.endsOn} >= ${t.startsOn}`),
    check("conferences_registration_state_known", sql`${t.registrationState} in (${listed(REGISTRATION_STATES)})`),
  ],
);

export const tracks = pgTable(
  "tracks",
  {
    id: uuid().primaryKey().defaultRandom(),
    conferenceId: uuid()
      .notNull()
      .references(() => conferences.id, { onDelete: "cascade" }),
    slug: text().notNull(),
    name: text().notNull(),
    /** #rrggbb */
    colour: text().notNull(),
    position: integer().notNull(),
  },
  (t) => [
    uniqueIndex("tracks_conference_slug_key").on(t.conferenceId, t.slug),
    check("tracks_colour_hex", sql`${t.colour} ~ '^#[0-9a-f]{6}$'`),
  ],
);

export const rooms = pgTable(
  "rooms",
  {
    id: uuid().primaryKey().defaultRandom(),
    conferenceId: uuid()
      .notNull()
      .references(() => conferences.id, { onDelete: "cascade" }),
    slug: text().notNull(),
    name: text().notNull(),
    capacity: integer(),
    position: integer().notNull(),
  },
  (t) => [
    uniqueIndex("rooms_conference_slug_key").on(t.conferenceId, t.slug),
    check("rooms_capacity_positive", sql`${t.capacity} is null or ${t.capacity} > 0`),
  ],
);

/**
 * A session of the program ("sessions" is the sign-in table). A room is never booked twice at once: an exclusion
 * constraint in the migration refuses overlapping sessions in one room that are not cancelled.
 */
export const programSessions = pgTable(
  "program_sessions",
  {
    id: uuid().primaryKey().defaultRandom(),
    conferenceId: uuid()
      .notNull()
      .references(() => conferences.id, { onDelete: "cascade" }),
    /** The file a session came from (content/program), so a new import updates it; null for sessions made in the app. */
    sourceKey: text(),
    /** The form a session was created from: submitting it twice creates one session. */
    creationKey: uuid(),
    type: text().$type<SessionType>().notNull(),
    title: text().notNull(),
    abstract: text().notNull().default(""),
    abstractHtml: text().notNull().default(""),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    endsAt: timestamp({ withTimezone: true }).notNull(),
    roomId: uuid().references(() => rooms.id, { onDelete: "restrict" }),
    trackId: uuid().references(() => tracks.id, { onDelete: "set null" }),
    capacity: integer(),
    audience: text().$type<SessionAudience>().notNull().default("public"),
    status: text().$type<SessionStatus>().notNull().default("scheduled"),
    search: tsvector().generatedAlwaysAs(
      sql`setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', abstract), 'B')`,
    ),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("program_sessions_source_key").on(t.conferenceId, t.sourceKey),
    uniqueIndex("program_sessions_creation_key").on(t.creationKey),
    index("program_sessions_conference_start_idx").on(t.conferenceId, t.startsAt),
    index("program_sessions_search_idx").using("gin", t.search),
    check("program_sessions_times_ordered", sql`${t.endsAt} > ${t.startsAt}`),
    check("program_sessions_capacity_positive", sql`${t.capacity} is null or ${t.capacity} > 0`),
    check("program_sessions_type_known", sql`${t.type} in (${listed(SESSION_TYPES)})`),
    check("program_sessions_audience_known", sql`${t.audience} in (${listed(SESSION_AUDIENCES)})`),
    check("program_sessions_status_known", sql`${t.status} in (${listed(SESSION_STATUSES)})`),
  ],
);

/** People who speak; one page each across editions. Linked to an account, they own (and always see) their sessions. */
export const speakers = pgTable(
  "speakers",
  {
    id: uuid().primaryKey().defaultRandom(),
    slug: text().notNull(),
    name: text().notNull(),
    agency: text().notNull(),
    title: text().notNull(),
    bioHtml: text().notNull().default(""),
    /** A path on this site (under public/), never another host. */
    photoPath: text(),
    userId: uuid().references(() => users.id, { onDelete: "set null" }),
    search: tsvector().generatedAlwaysAs(sql`to_tsvector('english', name || ' ' || agency || ' ' || title)`),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("speakers_slug_key").on(t.slug),
    index("speakers_user_idx").on(t.userId),
    index("speakers_search_idx").using("gin", t.search),
  ],
);

/** Who speaks at a session. `during` mirrors the session's time (null once cancelled) for the speakers' exclusion constraint. */
export const sessionSpeakers = pgTable(
  "session_speakers",
  {
    sessionId: uuid()
      .notNull()
      .references(() => programSessions.id, { onDelete: "cascade" }),
    speakerId: uuid()
      .notNull()
      .references(() => speakers.id, { onDelete: "cascade" }),
    position: integer().notNull(),
    during: tstzrange(),
  },
  (t) => [primaryKey({ columns: [t.sessionId, t.speakerId] }), index("session_speakers_speaker_idx").on(t.speakerId)],
);

/** A viewer's personal agenda. */
export const sessionStars = pgTable(
  "session_stars",
  {
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    sessionId: uuid()
      .notNull()
      .references(() => programSessions.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.sessionId] }), index("session_stars_session_idx").on(t.sessionId)],
);

/** The secret address of a personal calendar feed: one per user, only its SHA-256 kept; deleting the row revokes it. */
export const calendarFeeds = pgTable(
  "calendar_feeds",
  {
    userId: uuid()
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    tokenHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex("calendar_feeds_token_hash_key").on(t.tokenHash)],
);

export const PROGRAM_CHANGE_KINDS = ["moved", "cancelled", "reinstated"] as const;
export type ProgramChangeKind = (typeof PROGRAM_CHANGE_KINDS)[number];

/** What a change was: the time and room before and after (room names as they were then). */
export type ProgramChangeDetails = {
  from: { startsAt: string; endsAt: string; room: string | null };
  to: { startsAt: string; endsAt: string; room: string | null };
};

/** The public changelog of a published program. */
export const programChanges = pgTable(
  "program_changes",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    conferenceId: uuid()
      .notNull()
      .references(() => conferences.id, { onDelete: "cascade" }),
    sessionId: uuid()
      .notNull()
      .references(() => programSessions.id, { onDelete: "cascade" }),
    kind: text().$type<ProgramChangeKind>().notNull(),
    details: jsonb().$type<ProgramChangeDetails>().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When the job mailed the people who starred the session: it mails once per change, whatever its retries. */
    mailedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("program_changes_conference_idx").on(t.conferenceId, t.id),
    index("program_changes_session_idx").on(t.sessionId),
    check("program_changes_kind_known", sql`${t.kind} in (${listed(PROGRAM_CHANGE_KINDS)})`),
  ],
);

/** The content hash of the last import of a program directory: an import of unchanged files does nothing. */
export const programImports = pgTable("program_imports", {
  source: text().primaryKey(),
  contentHash: text().notNull(),
  importedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export type Conference = typeof conferences.$inferSelect;
export type Track = typeof tracks.$inferSelect;
export type Room = typeof rooms.$inferSelect;
export type ProgramSession = typeof programSessions.$inferSelect;
export type Speaker = typeof speakers.$inferSelect;
export type ProgramChange = typeof programChanges.$inferSelect;
