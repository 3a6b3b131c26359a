import { and, asc, eq, inArray, isNotNull, notInArray, sql } from "drizzle-orm";
import { getDb, type Transaction } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import {
  conferences,
  programImports,
  programSessions,
  rooms,
  sessionSpeakers,
  speakers,
  tracks,
  type SessionStatus,
} from "#db/schema/agenda.ts";
import { config } from "../config.ts";
import { ContentError, displayPath } from "../content/source.ts";
import { forgetContentVersion } from "../content/version.ts";
import { logger } from "../log.ts";
import { renderMarkdown } from "../markdown/render.ts";
import { cancelSessionSignups, fillSessionWaitlist, lockSessionLedger, type SessionLedger } from "../registration/ledger.ts";
import { recordProgramChange, type ChangeContext } from "./changes.ts";
import { constraintViolation } from "./constraints.ts";
import { loadProgram, type ConferenceSource, type ProgramSource, type SessionSource } from "./source.ts";
import { programChanged } from "./version.ts";
import { siteLink } from "../accounts/site-url.ts";

/**
 * Loads content/program into the database. Everything is validated first (a ContentError names each bad file and
 * field, and nothing is written); then one transaction writes it all. Files are the source of what they describe:
 * rows they no longer mention go, sessions made in the app stay. An import of the same files is a no-op (the content
 * hash), and an unchanged row is not rewritten. Once an edition is published, a session whose time, room or status
 * the files change is recorded and announced like an edit in the app. Sign-ups follow a session as in the editor: more
 * seats fill its waitlist, fewer than are confirmed are refused, a cancellation ends them and tells each person.
 */

export type ImportResult = { changed: boolean; conferences: number; sessions: number; speakers: number; announced: number };

// Instances starting together import once; the second finds the hash already there.
const IMPORT_LOCK = 7_340_218;

function mailLink(path: string): string {
  return siteLink(path, config().publicUrl);
}

/** Imports the program in `dir` (see above). */
export async function importProgram(dir: string): Promise<ImportResult> {
  const program = await loadProgram(dir);
  const source = displayPath(dir);
  const result = await getDb().transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`);
    const [previous] = await tx.select().from(programImports).where(eq(programImports.source, source));
    const counts = { conferences: program.conferences.length, sessions: program.conferences.reduce((n, c) => n + c.sessions.length, 0), speakers: program.speakers.length };
    if (previous?.contentHash === program.contentHash) return { changed: false, announced: 0, ...counts };
    // An import may swap two sessions' rooms or times: the double-booking constraints are checked once, at commit.
    await tx.execute(sql`set constraints program_sessions_room_not_double_booked, session_speakers_speaker_not_double_booked deferred`);
    const speakerIds = await writeSpeakers(tx, program);
    let announced = 0;
    for (const conference of program.conferences) announced += await writeConference(tx, conference, speakerIds);
    await tx.update(conferences).set({ current: false }).where(and(eq(conferences.current, true), notInArray(conferences.slug, program.conferences.filter((c) => c.current).map((c) => c.slug))));
    for (const conference of program.conferences.filter((c) => c.current)) {
      await tx.update(conferences).set({ current: true }).where(eq(conferences.slug, conference.slug));
    }
    await tx
      .insert(programImports)
      .values({ source, contentHash: program.contentHash })
      .onConflictDoUpdate({ target: programImports.source, set: { contentHash: program.contentHash, importedAt: sql`now()` } });
    return { changed: true, announced, ...counts };
  }).catch((error: unknown) => {
    throw asContentError(error, source) ?? error;
  });
  if (result.changed) forgetContentVersion();
  logger().info({ ...result, dir: source }, result.changed ? "program imported" : "program unchanged");
  return result;
}

/** The first start on an empty database loads the program; afterwards only `npm run content:import` does. */
export async function importProgramIfEmpty(dir: string): Promise<ImportResult | null> {
  const [any] = await getDb().select({ id: conferences.id }).from(conferences).limit(1);
  return any ? null : importProgram(dir);
}

/**
 * What the files cannot see alone, sessions made in the app, shows up as a constraint at write or commit time: say
 * so in the import's terms.
 */
function asContentError(error: unknown, source: string): ContentError | null {
  const violation = constraintViolation(error);
  if (violation?.code === "23P01") {
    const what = violation.constraint.startsWith("session_speakers") ? "a speaker" : "a room";
    return new ContentError([`${source}: sessions: the files book ${what} at the same time as a session made in the app; move one of them`]);
  }
  if (violation?.code === "23503" && violation.constraint === "program_sessions_room_id_rooms_id_fk") {
    return new ContentError([`${source}: rooms: a room the files no longer list still holds sessions made in the app; move them first`]);
  }
  return null;
}

async function writeSpeakers(tx: Transaction, program: ProgramSource): Promise<Map<string, string>> {
  const emails = program.speakers.flatMap((speaker) => (speaker.accountEmail ? [speaker.accountEmail] : []));
  const accounts = emails.length
    ? await tx.select({ id: users.id, email: users.email }).from(users).where(and(inArray(users.email, emails), isNotNull(users.emailVerifiedAt)))
    : [];
  const accountIds = new Map(accounts.map((account) => [account.email, account.id]));
  const rows = program.speakers.map((speaker) => ({
    slug: speaker.slug,
    name: speaker.name,
    agency: speaker.agency,
    title: speaker.title,
    bioHtml: renderMarkdown(speaker.bio),
    photoPath: speaker.photoPath,
    userId: speaker.accountEmail ? (accountIds.get(speaker.accountEmail) ?? null) : null,
  }));
  if (rows.length === 0) return new Map();
  await tx
    .insert(speakers)
    .values(rows)
    .onConflictDoUpdate({
      target: speakers.slug,
      set: {
        name: sql`excluded.name`,
        agency: sql`excluded.agency`,
        title: sql`excluded.title`,
        bioHtml: sql`excluded.bio_html`,
        photoPath: sql`excluded.photo_path`,
        userId: sql`excluded.user_id`,
        updatedAt: sql`now()`,
      },
      setWhere: sql`(${speakers.name}, ${speakers.agency}, ${speakers.title}, ${speakers.bioHtml}, ${speakers.photoPath}, ${speakers.userId})
        is distinct from (excluded.name, excluded.agency, excluded.title, excluded.bio_html, excluded.photo_path, excluded.user_id)`,
    });
  const all = await tx.select({ id: speakers.id, slug: speakers.slug }).from(speakers).where(inArray(speakers.slug, rows.map((row) => row.slug)));
  return new Map(all.map((row) => [row.slug, row.id]));
}

/** Writes one edition and its sessions; returns how many session changes it announced. */
async function writeConference(tx: Transaction, source: ConferenceSource, speakerIds: Map<string, string>): Promise<number> {
  const values = {
    slug: source.slug,
    name: source.name,
    startsOn: source.startsOn,
    endsOn: source.endsOn,
    venue: source.venue,
    city: source.city,
    timeZone: source.timeZone,
    registrationState: source.registration.state,
    registrationOpensOn: source.registration.opensOn,
    registrationClosesOn: source.registration.closesOn,
    organizerEmail: source.organizerEmail,
    descriptionHtml: renderMarkdown(source.description),
    published: source.published,
  };
  const [existing] = await tx.select().from(conferences).where(eq(conferences.slug, source.slug)).for("update");
  let conferenceId: string;
  let wasPublished = false;
  if (existing) {
    conferenceId = existing.id;
    wasPublished = existing.published;
    const changed = (Object.keys(values) as (keyof typeof values)[]).some((key) => existing[key] !== values[key]);
    if (changed) await tx.update(conferences).set({ ...values, updatedAt: sql`now()` }).where(eq(conferences.id, conferenceId));
  } else {
    const [created] = await tx.insert(conferences).values(values).returning({ id: conferences.id });
    conferenceId = created!.id;
  }

  const { trackIds, roomIds } = await upsertTracksAndRooms(tx, conferenceId, source);

  const existingSessions = await tx
    .select({
      id: programSessions.id,
      sourceKey: programSessions.sourceKey,
      type: programSessions.type,
      title: programSessions.title,
      abstract: programSessions.abstract,
      startsAt: programSessions.startsAt,
      endsAt: programSessions.endsAt,
      roomId: programSessions.roomId,
      roomName: rooms.name,
      trackId: programSessions.trackId,
      capacity: programSessions.capacity,
      audience: programSessions.audience,
      status: programSessions.status,
      speakerIds: sql<string[]>`coalesce((select array_agg(${sessionSpeakers.speakerId}::text order by ${sessionSpeakers.position}) from ${sessionSpeakers} where ${sessionSpeakers.sessionId} = ${programSessions.id}), '{}')`,
    })
    .from(programSessions)
    .leftJoin(rooms, eq(rooms.id, programSessions.roomId))
    .where(and(eq(programSessions.conferenceId, conferenceId), isNotNull(programSessions.sourceKey)))
    .orderBy(asc(programSessions.id));
  const ledgers = await lockChangedLedgers(tx, source, existingSessions);
  const byKey = new Map(existingSessions.map((session) => [session.sourceKey!, session]));
  const roomNames = new Map(source.rooms.map((room) => [room.slug, room.name]));
  const context: ChangeContext = {
    conference: { id: conferenceId, name: source.name, timeZone: source.timeZone, published: wasPublished && source.published },
    link: mailLink,
  };

  let announced = 0;
  let programWritten = !existing;
  for (const session of source.sessions) {
    const row = {
      type: session.type,
      title: session.title,
      abstract: session.abstract,
      abstractHtml: renderMarkdown(session.abstract),
      startsAt: session.startsAt,
      endsAt: session.endsAt,
      roomId: session.room ? roomIds.get(session.room)! : null,
      trackId: session.track ? trackIds.get(session.track)! : null,
      capacity: session.capacity,
      audience: session.audience,
    };
    const wantedSpeakers = session.speakers.map((slug) => speakerIds.get(slug)!);
    const before = byKey.get(session.key);
    if (!before) {
      const [created] = await tx
        .insert(programSessions)
        .values({ ...row, status: session.status, conferenceId, sourceKey: session.key })
        .returning({ id: programSessions.id });
      await writeSessionSpeakers(tx, created!.id, wantedSpeakers);
      programWritten = true;
      continue;
    }
    const roomName = session.room ? roomNames.get(session.room)! : null;
    const ledger = ledgers.get(before.id);
    // Signed-up people are told by their own mail, and not again by the one to people who starred the session.
    const told = ledger && cancels(session, before) ? await cancelSessionSignups(tx, ledger, context) : [];
    const kind = await recordProgramChange(
      tx,
      context,
      { id: before.id, conferenceId, title: session.title, audience: session.audience },
      { startsAt: before.startsAt, endsAt: before.endsAt, room: before.roomName, status: before.status },
      { startsAt: session.startsAt, endsAt: session.endsAt, room: roomName, status: session.status },
      told,
    );
    if (kind) announced++;
    const status = importedStatus(session.status, before.status, kind);
    const same =
      before.type === row.type &&
      before.title === row.title &&
      before.abstract === row.abstract &&
      before.startsAt.getTime() === row.startsAt.getTime() &&
      before.endsAt.getTime() === row.endsAt.getTime() &&
      before.roomId === row.roomId &&
      before.trackId === row.trackId &&
      before.capacity === row.capacity &&
      before.audience === row.audience &&
      before.status === status;
    if (!same) {
      await tx.update(programSessions).set({ ...row, status, updatedAt: sql`now()` }).where(eq(programSessions.id, before.id));
      programWritten = true;
    }
    if (before.speakerIds.join() !== wantedSpeakers.join()) {
      await tx.delete(sessionSpeakers).where(eq(sessionSpeakers.sessionId, before.id));
      await writeSessionSpeakers(tx, before.id, wantedSpeakers);
      programWritten = true;
    }
    // More seats, or no limit: the waitlist moves up now, after the row is written so the mail shows the new session.
    if (ledger && !ledger.cancelled) await fillSessionWaitlist(tx, { ...ledger, capacity: session.capacity }, context);
  }
  const keys = source.sessions.map((session) => session.key);
  const listed = new Set(keys);
  // Deleting a session's file is the organizers' decision, as a cancellation is: its sign-ups end, each person is told
  // their seat or waitlist place is released, and the session goes (rather than the import being refused).
  for (const before of existingSessions) {
    if (!listed.has(before.sourceKey!)) await cancelSessionSignups(tx, ledgers.get(before.id)!, context);
  }
  const gone = await tx
    .delete(programSessions)
    .where(and(eq(programSessions.conferenceId, conferenceId), isNotNull(programSessions.sourceKey), keys.length ? notInArray(programSessions.sourceKey, keys) : undefined))
    .returning({ id: programSessions.id });
  if (gone.length > 0) programWritten = true;
  await removeUnlistedTracksAndRooms(tx, conferenceId, source);
  if (programWritten || announced > 0) await programChanged(tx, conferenceId);
  return announced;
}

/** The file cancels a session that was on the program. */
function cancels(file: SessionSource, before: { status: SessionStatus }): boolean {
  return file.status === "cancelled" && before.status !== "cancelled";
}

/**
 * Locks the seat ledgers of the sessions whose sign-ups the files change (a new capacity, a cancellation, a file
 * gone), and refuses the files, like an invalid file, where a capacity is below the seats already confirmed: nobody
 * loses a seat they were given. `sessions` come in id order.
 */
async function lockChangedLedgers(
  tx: Transaction,
  source: ConferenceSource,
  sessions: { id: string; sourceKey: string | null; capacity: number | null; status: SessionStatus }[],
): Promise<Map<string, SessionLedger>> {
  const files = new Map(source.sessions.map((session) => [session.key, session]));
  const changed = sessions.filter((before) => {
    const file = files.get(before.sourceKey!);
    return !file || file.capacity !== before.capacity || cancels(file, before);
  });
  const ledgers = new Map<string, SessionLedger>();
  if (changed.length === 0) return ledgers;
  // The rows, then their ledgers, each in id order, as the editor locks a session and then its ledger (ledger.ts); a
  // no-key lock, which a sign-up's reference to its session does not wait for. Only rows the import writes anyway: an
  // editor's save locks its session before the conference row this import already holds.
  await tx
    .select({ id: programSessions.id })
    .from(programSessions)
    .where(inArray(programSessions.id, changed.map((before) => before.id)))
    .orderBy(asc(programSessions.id))
    .for("no key update");
  const problems: string[] = [];
  for (const before of changed) {
    const file = files.get(before.sourceKey!);
    const ledger = await lockSessionLedger(tx, before.id);
    ledgers.set(before.id, ledger);
    if (file && file.status !== "cancelled" && file.capacity !== null && file.capacity < ledger.seatsTaken) {
      const confirmed = ledger.seatsTaken === 1 ? "1 person has a confirmed seat" : `${ledger.seatsTaken} people have a confirmed seat`;
      problems.push(`${file.sourcePath}: capacity: ${confirmed} in this session; must be at least ${ledger.seatsTaken} (nobody loses a seat they were given)`);
    }
  }
  if (problems.length > 0) throw new ContentError(problems);
  return ledgers;
}

/**
 * The status a file gives a session, except that a session the import has just moved (or moved earlier, in the app
 * or by an import) stays "moved" while the file says "scheduled": readers are owed the badge.
 */
function importedStatus(fromFile: SessionStatus, current: SessionStatus, kind: string | null): SessionStatus {
  if (fromFile !== "scheduled") return fromFile;
  return kind === "moved" || current === "moved" ? "moved" : "scheduled";
}

async function writeSessionSpeakers(tx: Transaction, sessionId: string, speakerIds: string[]): Promise<void> {
  if (speakerIds.length === 0) return;
  await tx.insert(sessionSpeakers).values(speakerIds.map((speakerId, index) => ({ sessionId, speakerId, position: index + 1 })));
}

/** Upserts an edition's tracks and rooms by slug; returns slug → id for each. Unlisted ones go after the sessions moved. */
async function upsertTracksAndRooms(tx: Transaction, conferenceId: string, source: ConferenceSource) {
  if (source.tracks.length > 0) {
    await tx
      .insert(tracks)
      .values(source.tracks.map((track, index) => ({ ...track, conferenceId, position: index + 1 })))
      .onConflictDoUpdate({
        target: [tracks.conferenceId, tracks.slug],
        set: { name: sql`excluded.name`, colour: sql`excluded.colour`, position: sql`excluded.position` },
        setWhere: sql`(${tracks.name}, ${tracks.colour}, ${tracks.position}) is distinct from (excluded.name, excluded.colour, excluded.position)`,
      });
  }
  await tx
    .insert(rooms)
    .values(source.rooms.map((room, index) => ({ ...room, conferenceId, position: index + 1 })))
    .onConflictDoUpdate({
      target: [rooms.conferenceId, rooms.slug],
      set: { name: sql`excluded.name`, capacity: sql`excluded.capacity`, position: sql`excluded.position` },
      setWhere: sql`(${rooms.name}, ${rooms.capacity}, ${rooms.position}) is distinct from (excluded.name, excluded.capacity, excluded.position)`,
    });
  const trackRows = await tx.select({ id: tracks.id, slug: tracks.slug }).from(tracks).where(eq(tracks.conferenceId, conferenceId));
  const roomRows = await tx.select({ id: rooms.id, slug: rooms.slug }).from(rooms).where(eq(rooms.conferenceId, conferenceId));
  return { trackIds: new Map(trackRows.map((row) => [row.slug, row.id])), roomIds: new Map(roomRows.map((row) => [row.slug, row.id])) };
}

async function removeUnlistedTracksAndRooms(tx: Transaction, conferenceId: string, source: ConferenceSource): Promise<void> {
  await tx.delete(tracks).where(and(eq(tracks.conferenceId, conferenceId), notInArray(tracks.slug, source.tracks.map((track) => track.slug))));
  await tx.delete(rooms).where(and(eq(rooms.conferenceId, conferenceId), notInArray(rooms.slug, source.rooms.map((room) => room.slug))));
}
