import crypto from "node:crypto";
import { eq } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import type { User } from "#db/schema/accounts.ts";
import {
  conferences,
  programSessions,
  rooms,
  sessionSpeakers,
  speakers,
  tracks,
  type Conference,
  type ProgramSession,
  type SessionAudience,
  type SessionStatus,
  type SessionType,
} from "#db/schema/agenda.ts";
import { validateSessionToken, type Viewer } from "#app/.server/accounts/sessions.ts";
import { bumpContentVersion, forgetContentVersion } from "#app/.server/content/version.ts";
import { renderMarkdown } from "#app/.server/markdown/render.ts";
import { createUserSession } from "./accounts.ts";

const suffix = () => crypto.randomBytes(4).toString("hex");

/**
 * A program is published content: like the import and the editor, each factory's write bumps the content version, so
 * that what the app keeps per version (the public catalogue, anonymous days) is read again.
 */
async function contentChanged<T>(row: T): Promise<T> {
  await getDb().transaction((tx) => bumpContentVersion(tx));
  forgetContentVersion();
  return row;
}

/**
 * An edition. By default a published one in Alexandria, Virginia (America/New_York), 7–11 June 2027, not current:
 * pass `current: true` for the one the agenda pages show (a database holds at most one).
 */
export async function createConference(options: Partial<Pick<Conference, "slug" | "name" | "startsOn" | "endsOn" | "timeZone" | "published" | "current" | "venue" | "city">> = {}) {
  if (options.current) await getDb().update(conferences).set({ current: false }).where(eq(conferences.current, true));
  const [row] = await getDb()
    .insert(conferences)
    .values({
      slug: options.slug ?? `edition-${suffix()}`,
      name: options.name ?? "Targeting Conference",
      startsOn: options.startsOn ?? "2027-06-07",
      endsOn: options.endsOn ?? "2027-06-11",
      venue: options.venue ?? "Potomac Yard Conference Center",
      city: options.city ?? "Alexandria, Virginia",
      timeZone: options.timeZone ?? "America/New_York",
      organizerEmail: "program@targeting-conference.example",
      registrationState: "open",
      published: options.published ?? true,
      current: options.current ?? false,
    })
    .returning();
  return contentChanged(row!);
}

export async function createRoom(conferenceId: string, name = `Room ${suffix()}`, position = 1) {
  const [row] = await getDb().insert(rooms).values({ conferenceId, name, slug: `room-${suffix()}`, position }).returning();
  return contentChanged(row!);
}

export async function createTrack(conferenceId: string, name = `Track ${suffix()}`, position = 1) {
  const [row] = await getDb().insert(tracks).values({ conferenceId, name, slug: `track-${suffix()}`, colour: "#1f6feb", position }).returning();
  return contentChanged(row!);
}

export async function createSpeaker(options: { name?: string; agency?: string; user?: User } = {}) {
  const [row] = await getDb()
    .insert(speakers)
    .values({
      slug: `speaker-${suffix()}`,
      name: options.name ?? "Test Speaker",
      agency: options.agency ?? "Test Agency",
      title: "Analyst",
      bioHtml: renderMarkdown("A speaker made by a test."),
      userId: options.user?.id ?? null,
    })
    .returning();
  return contentChanged(row!);
}

export async function createProgramSession(options: {
  conferenceId: string;
  startsAt: string | Date;
  endsAt: string | Date;
  title?: string;
  abstract?: string;
  type?: SessionType;
  roomId?: string | null;
  trackId?: string | null;
  audience?: SessionAudience;
  status?: SessionStatus;
  speakerIds?: string[];
  capacity?: number | null;
}): Promise<ProgramSession> {
  const abstract = options.abstract ?? "";
  const [row] = await getDb()
    .insert(programSessions)
    .values({
      conferenceId: options.conferenceId,
      title: options.title ?? `Session ${suffix()}`,
      abstract,
      abstractHtml: renderMarkdown(abstract),
      type: options.type ?? "breakout",
      startsAt: new Date(options.startsAt),
      endsAt: new Date(options.endsAt),
      roomId: options.roomId ?? null,
      trackId: options.trackId ?? null,
      audience: options.audience ?? "public",
      status: options.status ?? "scheduled",
      capacity: options.capacity ?? null,
    })
    .returning();
  const speakerIds = options.speakerIds ?? [];
  if (speakerIds.length > 0) {
    await getDb().insert(sessionSpeakers).values(speakerIds.map((speakerId, index) => ({ sessionId: row!.id, speakerId, position: index + 1 })));
  }
  return contentChanged(row!);
}

/** The Viewer a signed-in request of this user would carry (with a second factor when asked). */
export async function viewerOf(user: User, options: { mfaVerified?: boolean } = {}): Promise<Viewer> {
  const { token } = await createUserSession(user.id, { mfaVerified: options.mfaVerified ?? true });
  const check = await validateSessionToken(token);
  if (!check.valid) throw new Error("the factory's session did not validate");
  return check.viewer;
}
