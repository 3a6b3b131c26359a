import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { SESSION_AUDIENCES, SESSION_STATUSES, SESSION_TYPES, type SessionAudience, type SessionStatus, type SessionType } from "#db/schema/agenda.ts";
import { CONTENT_SLUG, ContentError, describeIssues, displayPath, readFrontmatter } from "../content/source.ts";
import { atClock, CLOCK, dayOf, isDayKey, isTimeZone, nextDay, type DayKey } from "./time.ts";

/**
 * Reads and validates a program directory, without a database (the import and `npm run content:check` share it):
 *
 *   speakers/<slug>.md               one person each: name, agency, title, optional photo and account; bio as the body
 *   <edition>/conference.md          an edition (its folder name is its slug): dates, venue, zone, tracks, rooms
 *   <edition>/sessions/<key>.md      one session each: day, start and end (venue time), room, track, speakers
 *
 * Everything is checked before anything is written, including what only the set can show: a room, track or speaker
 * that does not exist, a session outside the conference days, a room or speaker booked twice at once.
 */

export const SPEAKERS_DIR = "speakers";
const CONFERENCE_FILE = "conference.md";
const SESSIONS_DIR = "sessions";

const MESSAGES = {
  required: "Required",
  text: "Must be text",
  empty: "Must not be empty",
  slug: "Must be lowercase letters and digits joined by single hyphens",
  day: "Must be a date like 2027-06-07",
  clock: 'Must be a time like "09:30", in quotes',
};

const text = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? MESSAGES.required : MESSAGES.text) })
    .trim()
    .min(1, MESSAGES.empty)
    .max(max, `Must be at most ${max} characters`);

const slug = z.string({ error: (issue) => (issue.input === undefined ? MESSAGES.required : MESSAGES.text) }).regex(CONTENT_SLUG, MESSAGES.slug);

/** YAML reads an unquoted 2027-06-07 as a timestamp: both spellings mean the day. */
const day = z
  .union([z.string(), z.date()], { error: (issue) => (issue.input === undefined ? MESSAGES.required : MESSAGES.day) })
  .transform((value, ctx) => {
    const key = value instanceof Date ? value.toISOString().slice(0, 10) : value;
    if (!isDayKey(key)) {
      ctx.addIssue({ code: "custom", message: MESSAGES.day });
      return z.NEVER;
    }
    return key;
  });

const clock = z.string({ error: (issue) => (issue.input === undefined ? MESSAGES.required : MESSAGES.clock) }).regex(CLOCK, MESSAGES.clock);

const SpeakerSchema = z.strictObject({
  name: text(120),
  agency: text(160),
  title: text(160),
  photo: z
    .string({ error: MESSAGES.text })
    .regex(/^\/images\/[a-z0-9/_-]+\.(png|jpg|jpeg|webp|svg)$/, "Must be a path under /images/ ending in .png, .jpg, .webp or .svg")
    .optional(),
  /** The account of the speaker, by its address: linked when such a verified account exists at import. */
  account: z.email({ error: "Must be an email address" }).transform((value) => value.toLowerCase()).optional(),
});

const ConferenceSchema = z
  .strictObject({
    name: text(160),
    starts: day,
    ends: day,
    venue: text(160),
    city: text(120),
    timeZone: z.string({ error: MESSAGES.required }).refine(isTimeZone, "Must be an IANA time zone such as America/New_York"),
    registration: z.strictObject({
      state: z.enum(["not_open", "open", "closed"], { error: "Must be not_open, open or closed" }),
      opens: day.optional(),
      closes: day.optional(),
    }),
    contact: z.email({ error: "Must be an email address" }),
    current: z.boolean({ error: "Must be true or false" }).default(false),
    published: z.boolean({ error: "Must be true or false" }).default(false),
    tracks: z
      .array(
        z.strictObject({
          slug,
          name: text(80),
          colour: z.string({ error: MESSAGES.required }).regex(/^#[0-9a-f]{6}$/, 'Must be a colour like "#1f6feb" (lowercase, in quotes)'),
        }),
        { error: "Must be a list" },
      )
      .min(1, "Must list at least one track"),
    rooms: z
      .array(
        z.strictObject({
          slug,
          name: text(80),
          capacity: z.int({ error: "Must be a whole number" }).positive("Must be more than 0").optional(),
        }),
        { error: "Must be a list" },
      )
      .min(1, "Must list at least one room"),
  })
  .superRefine((value, ctx) => {
    if (value.ends < value.starts) ctx.addIssue({ code: "custom", path: ["ends"], message: "Must not be before starts" });
    const { opens, closes } = value.registration;
    if (opens && closes && closes < opens) ctx.addIssue({ code: "custom", path: ["registration", "closes"], message: "Must not be before opens" });
    for (const [list, items] of [
      ["tracks", value.tracks],
      ["rooms", value.rooms],
    ] as const) {
      const seen = new Set<string>();
      items.forEach((item, index) => {
        if (seen.has(item.slug)) ctx.addIssue({ code: "custom", path: [list, index, "slug"], message: `"${item.slug}" is listed twice` });
        seen.add(item.slug);
      });
    }
  });

const SessionSchema = z.strictObject({
  title: text(200),
  type: z.enum(SESSION_TYPES, { error: `Must be one of ${SESSION_TYPES.join(", ")}` }),
  day,
  start: clock,
  /** Earlier than the start: the session ends the next day. */
  end: clock,
  room: slug.optional(),
  track: slug.optional(),
  speakers: z.array(slug, { error: "Must be a list of speaker slugs" }).default([]),
  capacity: z.int({ error: "Must be a whole number" }).positive("Must be more than 0").optional(),
  audience: z.enum(SESSION_AUDIENCES, { error: `Must be one of ${SESSION_AUDIENCES.join(", ")}` }).default("public"),
  status: z.enum(SESSION_STATUSES, { error: `Must be one of ${SESSION_STATUSES.join(", ")}` }).default("scheduled"),
});

export type SpeakerSource = {
  slug: string;
  name: string;
  agency: string;
  title: string;
  photoPath: string | null;
  accountEmail: string | null;
  bio: string;
};

export type SessionSource = {
  /** The file's name without .md: what a later import finds the session by. */
  key: string;
  sourcePath: string;
  title: string;
  type: SessionType;
  startsAt: Date;
  endsAt: Date;
  room: string | null;
  track: string | null;
  speakers: string[];
  capacity: number | null;
  audience: SessionAudience;
  status: SessionStatus;
  abstract: string;
};

export type ConferenceSource = {
  slug: string;
  name: string;
  startsOn: DayKey;
  endsOn: DayKey;
  venue: string;
  city: string;
  timeZone: string;
  registration: { state: "not_open" | "open" | "closed"; opensOn: DayKey | null; closesOn: DayKey | null };
  organizerEmail: string;
  current: boolean;
  published: boolean;
  description: string;
  tracks: { slug: string; name: string; colour: string }[];
  rooms: { slug: string; name: string; capacity: number | null }[];
  sessions: SessionSource[];
};

export type ProgramSource = {
  speakers: SpeakerSource[];
  conferences: ConferenceSource[];
  /** SHA-256 over every file's path and bytes: an import of the same files is a no-op. */
  contentHash: string;
};

type Problems = string[];

async function listEntries(dir: string) {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

async function markdownFiles(dir: string): Promise<string[]> {
  const entries = (await listEntries(dir)) ?? [];
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".md"))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

type ReadFile = { file: string; sourcePath: string; key: string; data: unknown; body: string };

async function readMarkdown(file: string, hash: crypto.Hash, root: string, problems: Problems): Promise<ReadFile | null> {
  const bytes = await fs.readFile(file);
  hash.update(`${path.relative(root, file).split(path.sep).join("/")}\0`).update(bytes).update("\0");
  const sourcePath = displayPath(file);
  const key = path.basename(file, ".md");
  if (!CONTENT_SLUG.test(key)) {
    problems.push(`${sourcePath}: file name: "${key}" ${MESSAGES.slug.toLowerCase()}`);
    return null;
  }
  try {
    const { data, body } = readFrontmatter(bytes.toString("utf8"));
    return { file, sourcePath, key, data, body };
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    problems.push(`${sourcePath}: frontmatter: ${message}`);
    return null;
  }
}

function parseSpeaker(read: ReadFile, problems: Problems): SpeakerSource | null {
  const parsed = SpeakerSchema.safeParse(read.data);
  if (!parsed.success) {
    problems.push(...describeIssues(read.sourcePath, parsed.error.issues));
    return null;
  }
  const { name, agency, title, photo, account } = parsed.data;
  return { slug: read.key, name, agency, title, photoPath: photo ?? null, accountEmail: account ?? null, bio: read.body.trim() };
}

function parseSession(read: ReadFile, conference: z.output<typeof ConferenceSchema>, speakerSlugs: Set<string>, problems: Problems): SessionSource | null {
  const parsed = SessionSchema.safeParse(read.data);
  if (!parsed.success) {
    problems.push(...describeIssues(read.sourcePath, parsed.error.issues));
    return null;
  }
  const s = parsed.data;
  const at = (field: string, message: string) => problems.push(`${read.sourcePath}: ${field}: ${message}`);
  if (s.room && !conference.rooms.some((room) => room.slug === s.room)) at("room", `"${s.room}" is not a room of this conference`);
  if (s.track && !conference.tracks.some((track) => track.slug === s.track)) at("track", `"${s.track}" is not a track of this conference`);
  s.speakers.forEach((speaker, index) => {
    if (!speakerSlugs.has(speaker)) at(`speakers.${index}`, `"${speaker}" has no file in ${SPEAKERS_DIR}/`);
  });
  if (new Set(s.speakers).size !== s.speakers.length) at("speakers", "Lists a speaker twice");
  const zone = conference.timeZone;
  const startsAt = atClock(s.day, s.start, zone);
  const endsAt = atClock(s.end > s.start ? s.day : nextDay(s.day), s.end, zone);
  // A session with a bad reference still takes part in the double-booking check; one without a sound time does not.
  const timeProblem: [string, string] | null =
    s.end === s.start
      ? ["end", "Must not equal start"]
      : s.day < conference.starts || s.day > conference.ends
        ? ["day", `Must be a day of the conference (${conference.starts} to ${conference.ends})`]
        : dayOf(new Date(endsAt.getTime() - 1), zone) > conference.ends
          ? ["end", `Must end by midnight after the last day (${conference.ends})`]
          : null;
  if (timeProblem) {
    at(...timeProblem);
    return null;
  }
  return {
    key: read.key,
    sourcePath: read.sourcePath,
    title: s.title,
    type: s.type,
    startsAt,
    endsAt,
    room: s.room ?? null,
    track: s.track ?? null,
    speakers: s.speakers,
    capacity: s.capacity ?? null,
    audience: s.audience,
    status: s.status,
    abstract: read.body.trim(),
  };
}

/** Two sessions of the set that are not cancelled and share a room or a speaker at the same time. */
function findDoubleBookings(sessions: SessionSource[], problems: Problems): void {
  const live = sessions.filter((session) => session.status !== "cancelled").sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  for (let i = 0; i < live.length; i++) {
    const a = live[i]!;
    for (let j = i + 1; j < live.length && live[j]!.startsAt < a.endsAt; j++) {
      const b = live[j]!;
      if (a.room && a.room === b.room) problems.push(`${b.sourcePath}: room: "${b.room}" is already booked at that time by ${a.sourcePath}`);
      for (const speaker of b.speakers) {
        if (a.speakers.includes(speaker)) problems.push(`${b.sourcePath}: speakers: "${speaker}" already speaks at that time in ${a.sourcePath}`);
      }
    }
  }
}

/** The whole program in `dir`; throws a ContentError listing every problem as `file: field: message`. */
export async function loadProgram(dir: string): Promise<ProgramSource> {
  const root = path.resolve(dir);
  const entries = await listEntries(root);
  if (entries === null) throw new ContentError([`${displayPath(root)}: directory not found`]);
  const problems: Problems = [];
  const hash = crypto.createHash("sha256");

  const speakers: SpeakerSource[] = [];
  // A speaker whose file has a problem of its own is still known: sessions naming them are not reported again.
  const speakerSlugs = new Set<string>();
  for (const file of await markdownFiles(path.join(root, SPEAKERS_DIR))) {
    const read = await readMarkdown(file, hash, root, problems);
    if (read) speakerSlugs.add(read.key);
    const speaker = read && parseSpeaker(read, problems);
    if (speaker) speakers.push(speaker);
  }

  const conferences: ConferenceSource[] = [];
  const editions = entries.filter((entry) => entry.isDirectory() && entry.name !== SPEAKERS_DIR).map((entry) => entry.name).sort();
  for (const edition of editions) {
    const folder = path.join(root, edition);
    if (!CONTENT_SLUG.test(edition)) {
      problems.push(`${displayPath(folder)}: folder name: "${edition}" ${MESSAGES.slug.toLowerCase()}`);
      continue;
    }
    const conferenceFile = path.join(folder, CONFERENCE_FILE);
    const exists = await fs.stat(conferenceFile).then(() => true, () => false);
    if (!exists) {
      problems.push(`${displayPath(conferenceFile)}: file: Missing (every edition folder needs one)`);
      continue;
    }
    const read = await readMarkdown(conferenceFile, hash, root, problems);
    if (!read) continue;
    const parsed = ConferenceSchema.safeParse(read.data);
    if (!parsed.success) {
      problems.push(...describeIssues(read.sourcePath, parsed.error.issues));
      continue;
    }
    const c = parsed.data;
    const sessions: SessionSource[] = [];
    for (const file of await markdownFiles(path.join(folder, SESSIONS_DIR))) {
      const sessionRead = await readMarkdown(file, hash, root, problems);
      const session = sessionRead && parseSession(sessionRead, c, speakerSlugs, problems);
      if (session) sessions.push(session);
    }
    findDoubleBookings(sessions, problems);
    conferences.push({
      slug: edition,
      name: c.name,
      startsOn: c.starts,
      endsOn: c.ends,
      venue: c.venue,
      city: c.city,
      timeZone: c.timeZone,
      registration: { state: c.registration.state, opensOn: c.registration.opens ?? null, closesOn: c.registration.closes ?? null },
      organizerEmail: c.contact,
      current: c.current,
      published: c.published,
      description: read.body.trim(),
      tracks: c.tracks,
      rooms: c.rooms.map((room) => ({ ...room, capacity: room.capacity ?? null })),
      sessions,
    });
  }
  const current = conferences.filter((conference) => conference.current);
  if (problems.length === 0 && conferences.length > 0 && current.length !== 1) {
    problems.push(
      `${displayPath(root)}: current: Exactly one edition must say "current: true" (${current.length === 0 ? "none does" : current.map((c) => c.slug).join(" and ") + " do"})`,
    );
  }
  if (problems.length > 0) throw new ContentError(problems);
  return { speakers, conferences, contentHash: hash.digest("hex") };
}
