import { and, asc, eq, inArray, ne, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Executor } from "#db/client.ts";
import {
  conferences,
  programSessions,
  rooms,
  SESSION_AUDIENCES,
  SESSION_TYPES,
  sessionSpeakers,
  speakers,
  tracks,
  type SessionStatus,
} from "#db/schema/agenda.ts";
import { assertPermission, type Actor } from "../accounts/permissions.ts";
import type { RequestOrigin } from "../accounts/site-url.ts";
import { ConflictError, InvalidError, NotFoundError } from "../errors.ts";
import { forgetContentVersion } from "../content/version.ts";
import { renderMarkdown } from "../markdown/render.ts";
import { recordProgramChange, type ChangeContext, type SessionState } from "./changes.ts";
import { requireConference, type ConferenceRow } from "./conferences.ts";
import { constraintViolation } from "./constraints.ts";
import { cancelSessionSignups, fillSessionWaitlist, lockSessionLedger } from "../registration/ledger.ts";
import { atClock, clockOf, CLOCK, dayLabel, dayOf, daysFrom, nextDay } from "./time.ts";
import { programChanged } from "./version.ts";

/**
 * The organizers' editor of the current edition's program: create, edit, move, cancel and reinstate sessions, and
 * publish the program. Every write checks "edit:agenda" again, refuses a session outside the conference days and a
 * room or speaker booked twice at once (with a message naming the other session), and, once the program is
 * published, records each change of time, room or status and mails the people who starred the session, in the same
 * transaction.
 */

export const LIMITS = { title: 200, abstract: 10_000, capacity: 10_000, hours: 12 } as const;

const optionalId = z
  .string()
  .transform((value) => value.trim())
  .pipe(z.union([z.literal(""), z.uuid({ error: "Choose one from the list." })]))
  .transform((value) => (value === "" ? null : value));

const asList = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

export const SessionFormSchema = z.object({
  title: z.string({ error: "Enter a title." }).trim().min(3, "Enter a title of at least 3 characters.").max(LIMITS.title, `Keep the title to ${LIMITS.title} characters.`),
  type: z.enum(SESSION_TYPES, { error: "Choose a type." }),
  day: z.string({ error: "Choose a day." }).regex(/^\d{4}-\d{2}-\d{2}$/, "Choose a day."),
  start: z.string({ error: "Enter a start time." }).regex(CLOCK, "Enter a time like 09:30."),
  end: z.string({ error: "Enter an end time." }).regex(CLOCK, "Enter a time like 10:30."),
  roomId: optionalId.default(null),
  trackId: optionalId.default(null),
  capacity: z
    .string()
    .trim()
    .default("")
    .refine((value) => value === "" || /^\d{1,6}$/.test(value), "Enter a whole number of seats, or leave it empty.")
    .transform((value) => (value === "" ? null : Number(value)))
    .refine((value) => value === null || (value >= 1 && value <= LIMITS.capacity), `Enter between 1 and ${LIMITS.capacity} seats, or leave it empty.`),
  audience: z.enum(SESSION_AUDIENCES, { error: "Choose who may see the session." }),
  abstract: z.string().max(LIMITS.abstract, `Keep the description to ${LIMITS.abstract} characters.`).default(""),
  speakerIds: z.preprocess(asList, z.array(z.uuid({ error: "Choose speakers from the list." })).max(12, "At most 12 speakers.")),
});
export type SessionForm = z.output<typeof SessionFormSchema>;

export const CreateSessionSchema = SessionFormSchema.extend({
  /** One per form shown: a second submit of the same form finds the session the first one made. */
  creationKey: z.uuid({ error: "Reload the form and try again." }),
});

export const UpdateSessionSchema = SessionFormSchema.extend({
  /** When the form was loaded: a save over someone else's newer change is refused. */
  version: z.string({ error: "Reload the form and try again." }).min(1),
});

/** The edit page's forms: save the fields, or cancel or reinstate the session. */
export const SessionPageSchema = z.discriminatedUnion(
  "intent",
  [UpdateSessionSchema.extend({ intent: z.literal("save") }), z.object({ intent: z.literal("cancel") }), z.object({ intent: z.literal("reinstate") })],
  { error: "Choose what to do." },
);

async function currentConference(tx: Executor): Promise<ConferenceRow> {
  return requireConference(null, tx);
}

export type EditorOptions = {
  conference: { name: string; timeZone: string; published: boolean };
  days: { value: string; label: string }[];
  rooms: { value: string; label: string }[];
  tracks: { value: string; label: string }[];
  speakers: { value: string; label: string }[];
};

export async function getEditorOptions(actor: Actor): Promise<EditorOptions> {
  assertPermission(actor, "edit:agenda");
  const db = getDb();
  const conference = await currentConference(db);
  const [roomRows, trackRows, speakerRows] = await Promise.all([
    db.select({ id: rooms.id, name: rooms.name, capacity: rooms.capacity }).from(rooms).where(eq(rooms.conferenceId, conference.id)).orderBy(asc(rooms.position)),
    db.select({ id: tracks.id, name: tracks.name }).from(tracks).where(eq(tracks.conferenceId, conference.id)).orderBy(asc(tracks.position)),
    db.select({ id: speakers.id, name: speakers.name, agency: speakers.agency }).from(speakers).orderBy(asc(speakers.name)),
  ]);
  return {
    conference: { name: conference.name, timeZone: conference.timeZone, published: conference.published },
    days: daysFrom(conference.startsOn, conference.endsOn).map((day) => ({ value: day, label: dayLabel(day) })),
    rooms: roomRows.map((room) => ({ value: room.id, label: room.capacity ? `${room.name} (${room.capacity} seats)` : room.name })),
    tracks: trackRows.map((track) => ({ value: track.id, label: track.name })),
    speakers: speakerRows.map((speaker) => ({ value: speaker.id, label: `${speaker.name}, ${speaker.agency}` })),
  };
}

export type EditorSessionRow = { id: string; title: string; type: string; day: string; start: string; end: string; room: string | null; status: SessionStatus; audience: string };

/** Every session of the current edition, cancelled ones too, by day in the venue's zone. */
export async function listProgramForEditor(actor: Actor) {
  assertPermission(actor, "edit:agenda");
  const db = getDb();
  const conference = await currentConference(db);
  const rows = await db
    .select({
      id: programSessions.id,
      title: programSessions.title,
      type: programSessions.type,
      startsAt: programSessions.startsAt,
      endsAt: programSessions.endsAt,
      room: rooms.name,
      status: programSessions.status,
      audience: programSessions.audience,
    })
    .from(programSessions)
    .leftJoin(rooms, eq(rooms.id, programSessions.roomId))
    .where(eq(programSessions.conferenceId, conference.id))
    .orderBy(asc(programSessions.startsAt), sql`${rooms.position} nulls first`);
  const zone = conference.timeZone;
  const days = new Map<string, EditorSessionRow[]>();
  for (const row of rows) {
    const day = dayOf(row.startsAt, zone);
    const list = days.get(day) ?? [];
    list.push({ id: row.id, title: row.title, type: row.type, day, start: clockOf(row.startsAt, zone), end: clockOf(row.endsAt, zone), room: row.room, status: row.status, audience: row.audience });
    days.set(day, list);
  }
  return {
    conference: { name: conference.name, timeZone: conference.timeZone, published: conference.published },
    days: [...days].map(([day, sessions]) => ({ day, label: dayLabel(day), sessions })),
  };
}

/** A session's fields as the edit form shows them: times in the venue's zone. */
export async function getSessionForEditor(actor: Actor, sessionId: string) {
  assertPermission(actor, "edit:agenda");
  const db = getDb();
  const conference = await currentConference(db);
  const [row] = await db
    .select()
    .from(programSessions)
    .where(and(eq(programSessions.id, sessionId), eq(programSessions.conferenceId, conference.id)));
  if (!row) throw new NotFoundError();
  const people = await db.select({ id: sessionSpeakers.speakerId }).from(sessionSpeakers).where(eq(sessionSpeakers.sessionId, sessionId)).orderBy(asc(sessionSpeakers.position));
  const zone = conference.timeZone;
  return {
    id: row.id,
    status: row.status,
    version: row.updatedAt.toISOString(),
    values: {
      title: row.title,
      type: row.type,
      day: dayOf(row.startsAt, zone),
      start: clockOf(row.startsAt, zone),
      end: clockOf(row.endsAt, zone),
      roomId: row.roomId ?? "",
      trackId: row.trackId ?? "",
      capacity: row.capacity === null ? "" : String(row.capacity),
      audience: row.audience,
      abstract: row.abstract,
      speakerIds: people.map((p) => p.id),
    },
  };
}

type Placed = { startsAt: Date; endsAt: Date };

/** The form's day and clock times in the venue's zone as instants, or the field that is wrong. */
function place(conference: ConferenceRow, form: SessionForm): Placed {
  const days = daysFrom(conference.startsOn, conference.endsOn);
  if (!days.includes(form.day)) throw new InvalidError({ day: [`Choose a day of the conference (${dayLabel(conference.startsOn)} to ${dayLabel(conference.endsOn)}).`] });
  if (form.end === form.start) throw new InvalidError({ end: ["The session must end after it starts."] });
  const zone = conference.timeZone;
  const startsAt = atClock(form.day, form.start, zone);
  // An end earlier than the start is on the next day (an evening session past midnight).
  const endsAt = atClock(form.end > form.start ? form.day : nextDay(form.day), form.end, zone);
  if (endsAt.getTime() - startsAt.getTime() > LIMITS.hours * 3_600_000) {
    throw new InvalidError({ end: [`A session lasts at most ${LIMITS.hours} hours. (An end before the start means the next day.)`] });
  }
  if (dayOf(new Date(endsAt.getTime() - 1), zone) > conference.endsOn) {
    throw new InvalidError({ end: [`The session must end by midnight after the last day (${dayLabel(conference.endsOn)}).`] });
  }
  return { startsAt, endsAt };
}

async function checkReferences(tx: Executor, conference: ConferenceRow, form: SessionForm): Promise<{ roomName: string | null }> {
  let roomName: string | null = null;
  if (form.roomId) {
    const [room] = await tx.select({ name: rooms.name }).from(rooms).where(and(eq(rooms.id, form.roomId), eq(rooms.conferenceId, conference.id)));
    if (!room) throw new InvalidError({ roomId: ["Choose a room of this conference."] });
    roomName = room.name;
  }
  if (form.trackId) {
    const [track] = await tx.select({ id: tracks.id }).from(tracks).where(and(eq(tracks.id, form.trackId), eq(tracks.conferenceId, conference.id)));
    if (!track) throw new InvalidError({ trackId: ["Choose a track of this conference."] });
  }
  const unique = [...new Set(form.speakerIds)];
  if (unique.length > 0) {
    const found = await tx.select({ id: speakers.id }).from(speakers).where(inArray(speakers.id, unique));
    if (found.length !== unique.length) throw new InvalidError({ speakerIds: ["Choose speakers from the list."] });
  }
  return { roomName };
}

/**
 * Names the session that a room or speaker of this one is already booked for, as a field message. The database's
 * exclusion constraints are what guarantee no double booking under concurrent saves; this only explains it.
 */
async function findDoubleBooking(tx: Executor, conference: ConferenceRow, placed: Placed, form: SessionForm, ignoreId: string | null): Promise<InvalidError | null> {
  const overlapping = and(
    ne(programSessions.status, "cancelled"),
    sql`tstzrange(${programSessions.startsAt}, ${programSessions.endsAt}) && tstzrange(${placed.startsAt.toISOString()}::timestamptz, ${placed.endsAt.toISOString()}::timestamptz)`,
    ignoreId ? ne(programSessions.id, ignoreId) : undefined,
  );
  const zone = conference.timeZone;
  const when = (s: { startsAt: Date; endsAt: Date }) => `${dayLabel(dayOf(s.startsAt, zone))}, ${clockOf(s.startsAt, zone)}–${clockOf(s.endsAt, zone)}`;
  if (form.roomId) {
    const [clash] = await tx
      .select({ title: programSessions.title, startsAt: programSessions.startsAt, endsAt: programSessions.endsAt, room: rooms.name })
      .from(programSessions)
      .innerJoin(rooms, eq(rooms.id, programSessions.roomId))
      .where(and(eq(programSessions.roomId, form.roomId), overlapping))
      .limit(1);
    if (clash) return new InvalidError({ roomId: [`${clash.room} is already booked at that time for “${clash.title}” (${when(clash)}).`] });
  }
  if (form.speakerIds.length > 0) {
    const [clash] = await tx
      .select({ title: programSessions.title, startsAt: programSessions.startsAt, endsAt: programSessions.endsAt, speaker: speakers.name })
      .from(programSessions)
      .innerJoin(sessionSpeakers, eq(sessionSpeakers.sessionId, programSessions.id))
      .innerJoin(speakers, eq(speakers.id, sessionSpeakers.speakerId))
      .where(and(inArray(sessionSpeakers.speakerId, form.speakerIds), overlapping))
      .limit(1);
    if (clash) return new InvalidError({ speakerIds: [`${clash.speaker} already speaks at that time in “${clash.title}” (${when(clash)}).`] });
  }
  return null;
}

/** A write refused by an exclusion constraint (another save won the race): the same message as the check. */
async function explainViolation(error: unknown, conference: ConferenceRow, placed: Placed, form: SessionForm, ignoreId: string | null): Promise<never> {
  const violation = constraintViolation(error);
  if (violation?.code === "23P01") {
    const explained = await findDoubleBooking(getDb(), conference, placed, form, ignoreId);
    throw (
      explained ??
      new InvalidError(
        violation.constraint.startsWith("session_speakers")
          ? { speakerIds: ["A speaker is already booked at that time."] }
          : { roomId: ["The room is already booked at that time."] },
      )
    );
  }
  throw error;
}

function sessionValues(form: SessionForm, placed: Placed) {
  return {
    title: form.title,
    type: form.type,
    abstract: form.abstract.trim(),
    abstractHtml: renderMarkdown(form.abstract.trim()),
    startsAt: placed.startsAt,
    endsAt: placed.endsAt,
    roomId: form.roomId,
    trackId: form.trackId,
    capacity: form.capacity,
    audience: form.audience,
  };
}

async function writeSpeakers(tx: Executor, sessionId: string, speakerIds: string[]): Promise<void> {
  await tx.delete(sessionSpeakers).where(eq(sessionSpeakers.sessionId, sessionId));
  const unique = [...new Set(speakerIds)];
  if (unique.length > 0) await tx.insert(sessionSpeakers).values(unique.map((speakerId, index) => ({ sessionId, speakerId, position: index + 1 })));
}

function changeContext(conference: ConferenceRow, origin: RequestOrigin): ChangeContext {
  return { conference: { id: conference.id, name: conference.name, timeZone: conference.timeZone, published: conference.published }, link: origin.link };
}

/** Adds a session to the current program; the same form submitted twice adds it once. Returns its id. */
export async function createSession(actor: Actor, input: z.output<typeof CreateSessionSchema>): Promise<string> {
  assertPermission(actor, "edit:agenda");
  const conference = await currentConference(getDb());
  const placed = place(conference, input);
  try {
    return await getDb().transaction(async (tx) => {
      await lockProgram(tx, conference);
      const [existing] = await tx.select({ id: programSessions.id }).from(programSessions).where(eq(programSessions.creationKey, input.creationKey));
      if (existing) return existing.id;
      await checkReferences(tx, conference, input);
      const clash = await findDoubleBooking(tx, conference, placed, input, null);
      if (clash) throw clash;
      const [created] = await tx
        .insert(programSessions)
        .values({ ...sessionValues(input, placed), conferenceId: conference.id, creationKey: input.creationKey })
        .onConflictDoNothing({ target: programSessions.creationKey })
        .returning({ id: programSessions.id });
      // A concurrent submit of the same form got there first.
      if (!created) {
        const [winner] = await tx.select({ id: programSessions.id }).from(programSessions).where(eq(programSessions.creationKey, input.creationKey));
        return winner!.id;
      }
      await writeSpeakers(tx, created.id, input.speakerIds);
      await programChanged(tx, conference.id);
      return created.id;
    });
  } catch (error) {
    return explainViolation(error, conference, placed, input, null);
  } finally {
    forgetContentVersion();
  }
}

/**
 * Every change to a program takes its conference row first: the order an import takes its locks in (import.ts), so an
 * import and a save never wait for each other in a circle, and two new sessions that overlap do not deadlock on the
 * exclusion constraint, each waiting for the other's insert. A save updates this row at its end anyway
 * (programChanged), so saves of one program were already one at a time from there.
 */
async function lockProgram(tx: Executor, conference: ConferenceRow): Promise<void> {
  await tx.select({ id: conferences.id }).from(conferences).where(eq(conferences.id, conference.id)).for("no key update");
}

async function lockSession(tx: Executor, conference: ConferenceRow, sessionId: string) {
  await lockProgram(tx, conference);
  const [row] = await tx
    .select({
      id: programSessions.id,
      title: programSessions.title,
      audience: programSessions.audience,
      startsAt: programSessions.startsAt,
      endsAt: programSessions.endsAt,
      status: programSessions.status,
      capacity: programSessions.capacity,
      updatedAt: programSessions.updatedAt,
      roomName: rooms.name,
    })
    .from(programSessions)
    .leftJoin(rooms, eq(rooms.id, programSessions.roomId))
    .where(and(eq(programSessions.id, sessionId), eq(programSessions.conferenceId, conference.id)))
    // Not FOR UPDATE: a sign-up holding the session's seat ledger inserts a row referencing the session, which takes a
    // key-share lock on it, while the editor then waits for that ledger; a no-key lock lets the sign-up finish.
    .for("no key update", { of: programSessions });
  if (!row) throw new NotFoundError();
  return row;
}

/**
 * Saves an edit of a session, a move included. Refused with a ConflictError when someone saved the session since
 * the form was loaded. In a published program a new time or room marks the session moved and is announced.
 */
export async function updateSession(actor: Actor, sessionId: string, input: z.output<typeof UpdateSessionSchema>, origin: RequestOrigin): Promise<void> {
  assertPermission(actor, "edit:agenda");
  const conference = await currentConference(getDb());
  const placed = place(conference, input);
  try {
    await getDb().transaction(async (tx) => {
      const before = await lockSession(tx, conference, sessionId);
      if (before.updatedAt.toISOString() !== input.version) {
        throw new ConflictError("Someone else saved this session while you were editing it. Your changes are still in the form: open the session page in another tab to see theirs, then save again.");
      }
      const { roomName } = await checkReferences(tx, conference, input);
      const clash = await findDoubleBooking(tx, conference, placed, input, sessionId);
      if (clash) throw clash;
      // The ledger is locked before the new capacity is written, so a sign-up waiting for it counts against the new one.
      const ledger = input.capacity === before.capacity ? null : await lockSessionLedger(tx, sessionId);
      if (ledger && input.capacity !== null && input.capacity < ledger.seatsTaken) {
        const confirmed = ledger.seatsTaken === 1 ? "1 person has a confirmed seat" : `${ledger.seatsTaken} people have a confirmed seat`;
        throw new InvalidError({ capacity: [`${confirmed} in this session: enter at least ${ledger.seatsTaken} seats. Nobody loses a seat they were given.`] });
      }
      const from: SessionState = { startsAt: before.startsAt, endsAt: before.endsAt, room: before.roomName, status: before.status };
      const to: SessionState = { ...placed, room: roomName, status: before.status };
      const kind = await recordProgramChange(tx, changeContext(conference, origin), { id: sessionId, conferenceId: conference.id, title: input.title, audience: input.audience }, from, to);
      const status: SessionStatus = kind === "moved" ? "moved" : before.status;
      await tx
        .update(programSessions)
        .set({ ...sessionValues(input, placed), status, updatedAt: sql`clock_timestamp()` })
        .where(eq(programSessions.id, sessionId));
      await writeSpeakers(tx, sessionId, input.speakerIds);
      // More seats, or no limit: the waitlist moves up now, in this transaction.
      if (ledger) await fillSessionWaitlist(tx, { ...ledger, capacity: input.capacity }, origin);
      await programChanged(tx, conference.id);
    });
  } catch (error) {
    return explainViolation(error, conference, placed, input, sessionId);
  } finally {
    forgetContentVersion();
  }
}

/**
 * Cancels a session, or puts a cancelled one back on the program (where its room and speakers must still be free).
 * Cancelling ends its sign-ups and waitlist and mails each person; reinstating does not bring them back.
 */
export async function setSessionCancelled(actor: Actor, sessionId: string, cancelled: boolean, origin: RequestOrigin): Promise<void> {
  assertPermission(actor, "edit:agenda");
  const conference = await currentConference(getDb());
  try {
    await getDb().transaction(async (tx) => {
      const before = await lockSession(tx, conference, sessionId);
      if ((before.status === "cancelled") === cancelled) return;
      const status: SessionStatus = cancelled ? "cancelled" : "scheduled";
      const slot = { startsAt: before.startsAt, endsAt: before.endsAt, room: before.roomName };
      // Signed-up people are told by their own mail, and not again by the one to people who starred the session.
      const told = cancelled ? await cancelSessionSignups(tx, await lockSessionLedger(tx, sessionId), origin) : [];
      await recordProgramChange(
        tx,
        changeContext(conference, origin),
        { id: sessionId, conferenceId: conference.id, title: before.title, audience: before.audience },
        { ...slot, status: before.status },
        { ...slot, status },
        told,
      );
      await tx.update(programSessions).set({ status, updatedAt: sql`clock_timestamp()` }).where(eq(programSessions.id, sessionId));
      await programChanged(tx, conference.id);
    });
  } catch (error) {
    const violation = constraintViolation(error);
    if (violation?.code === "23P01") {
      throw new ConflictError("The session cannot go back on the program: its room or a speaker is booked at that time now. Move it first.");
    }
    throw error;
  } finally {
    forgetContentVersion();
  }
}

/** Publishes the current program: from now on it is public (to its audiences) and every change is announced. */
export async function publishProgram(actor: Actor): Promise<void> {
  assertPermission(actor, "edit:agenda");
  await getDb().transaction(async (tx) => {
    const conference = await currentConference(tx);
    if (conference.published) return;
    await tx.update(conferences).set({ published: true }).where(eq(conferences.id, conference.id));
    await programChanged(tx, conference.id);
  });
  forgetContentVersion();
}
