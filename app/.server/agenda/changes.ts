import { and, desc, eq, inArray, isNull, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Executor, type Transaction } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import {
  conferences,
  programChanges,
  programSessions,
  sessionSpeakers,
  sessionStars,
  speakers,
  type ProgramChangeKind,
  type SessionAudience,
  type SessionStatus,
} from "#db/schema/agenda.ts";
import type { AccessScope } from "../access/audience.ts";
import { siteLink } from "../accounts/site-url.ts";
import { config } from "../config.ts";
import { defineJob } from "../jobs/define.ts";
import { enqueue } from "../jobs/queue.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { restrictedSessionChangedMail, sessionChangedMail } from "./mails.ts";
import { accessScopesOfUsers } from "../access/viewer-access.ts";
import { canSeeSession, sessionVisibleTo } from "./visibility.ts";

export type SessionState = { startsAt: Date; endsAt: Date; room: string | null; status: SessionStatus };

/** What a change to a session means to the people who follow the program, or null when it changes none of that. */
export function changeKind(before: SessionState, after: SessionState): ProgramChangeKind | null {
  const wasOn = before.status !== "cancelled";
  const isOn = after.status !== "cancelled";
  if (wasOn && !isOn) return "cancelled";
  if (!wasOn && isOn) return "reinstated";
  if (!isOn) return null;
  const moved =
    before.startsAt.getTime() !== after.startsAt.getTime() || before.endsAt.getTime() !== after.endsAt.getTime() || before.room !== after.room;
  return moved ? "moved" : null;
}

export type ChangedSession = {
  id: string;
  conferenceId: string;
  title: string;
  audience: SessionAudience;
};

export type ChangeContext = {
  conference: { id: string; name: string; timeZone: string; published: boolean };
  /** Absolute links for the mails. */
  link: (path: string) => string;
};

/**
 * Records a change of a published program in the changelog and queues the job that mails each person who starred the
 * session, in the caller's transaction: the change, its entry and its job exist together or not at all, and a popular
 * session's hundreds of mails are not written while the organizer's save holds its locks. People in `alreadyTold`
 * (signed up for a session being cancelled, who got their own mail) are not mailed again.
 * Returns the kind recorded, or null when the program is a draft or nothing that matters changed.
 */
export async function recordProgramChange(
  tx: Transaction,
  context: ChangeContext,
  session: ChangedSession,
  before: SessionState,
  after: SessionState,
  alreadyTold: readonly string[] = [],
): Promise<ProgramChangeKind | null> {
  if (!context.conference.published) return null;
  const kind = changeKind(before, after);
  if (!kind) return null;
  const [change] = await tx
    .insert(programChanges)
    .values({
      conferenceId: session.conferenceId,
      sessionId: session.id,
      kind,
      details: {
        from: { startsAt: before.startsAt.toISOString(), endsAt: before.endsAt.toISOString(), room: before.room },
        to: { startsAt: after.startsAt.toISOString(), endsAt: after.endsAt.toISOString(), room: after.room },
      },
    })
    .returning({ id: programChanges.id });
  // The site's address as the change's caller knows it (an import from the command line may know none).
  const root = context.link("/");
  await enqueue(tx, programChangeMailsJob, { changeId: change!.id, siteRoot: URL.canParse(root) ? root : null, alreadyTold: [...alreadyTold] });
  return kind;
}

/**
 * Mails the people who starred a changed session, once per change: the change is marked mailed in the same
 * transaction as its mails, so a retried job finds it done. A reader who may not see the session (its audience
 * changed, their membership lapsed) is told only that something changed.
 */
export async function mailProgramChange(changeId: number, siteRoot: string | null, alreadyTold: readonly string[]): Promise<void> {
  await getDb().transaction(async (tx) => {
    const [change] = await tx
      .update(programChanges)
      .set({ mailedAt: sql`now()` })
      .where(and(eq(programChanges.id, changeId), isNull(programChanges.mailedAt)))
      .returning({ sessionId: programChanges.sessionId, kind: programChanges.kind, details: programChanges.details });
    // Mailed already, or the session is gone (and its changes with it).
    if (!change) return;
    const [session] = await tx
      .select({
        title: programSessions.title,
        audience: programSessions.audience,
        conferenceId: programSessions.conferenceId,
        conference: conferences.name,
        timeZone: conferences.timeZone,
      })
      .from(programSessions)
      .innerJoin(conferences, eq(conferences.id, programSessions.conferenceId))
      .where(eq(programSessions.id, change.sessionId));
    if (!session) return;
    const readers = await tx
      .select({ id: users.id, email: users.email, name: users.name })
      .from(sessionStars)
      .innerJoin(users, eq(users.id, sessionStars.userId))
      .where(
        and(
          eq(sessionStars.sessionId, change.sessionId),
          eq(users.status, "active"),
          sql`${users.emailVerifiedAt} is not null`,
          alreadyTold.length > 0 ? notInArray(users.id, [...alreadyTold]) : undefined,
        ),
      )
      .orderBy(users.id);
    if (readers.length === 0) return;
    const owners = await tx
      .select({ userId: speakers.userId })
      .from(sessionSpeakers)
      .innerJoin(speakers, eq(speakers.id, sessionSpeakers.speakerId))
      .where(eq(sessionSpeakers.sessionId, change.sessionId));
    const access = { audience: session.audience, conferenceId: session.conferenceId, published: true, speakerUserIds: owners.map((o) => o.userId) };
    const scopes = await accessScopesOfUsers(tx, readers.map((reader) => reader.id));
    const slot = (value: { startsAt: string; endsAt: string; room: string | null }) => ({ startsAt: new Date(value.startsAt), endsAt: new Date(value.endsAt), room: value.room });
    const link = (path: string) => siteLink(path, siteRoot ?? config().publicUrl);
    for (const reader of readers) {
      const mail = canSeeSession(scopes.get(reader.id)!, access)
        ? sessionChangedMail(
            reader.email,
            reader.name,
            { kind: change.kind, title: session.title, conference: session.conference, zone: session.timeZone, from: slot(change.details.from), to: slot(change.details.to) },
            link(`/agenda/sessions/${change.sessionId}`),
          )
        : restrictedSessionChangedMail(reader.email, reader.name, session.conference, link("/agenda/mine"));
      await enqueueMail(mail, tx);
    }
  });
}

export const programChangeMailsJob = defineJob({
  name: "agenda.program-change-mails",
  payload: z.object({ changeId: z.number().int(), siteRoot: z.string().url().nullable(), alreadyTold: z.array(z.uuid()) }),
  retry: { limit: 5, delaySeconds: 10, backoff: true },
  timeoutSeconds: 120,
  run: ({ changeId, siteRoot, alreadyTold }) => mailProgramChange(changeId, siteRoot, alreadyTold),
});

export type ChangelogEntry = {
  id: number;
  at: Date;
  kind: ProgramChangeKind;
  sessionId: string;
  title: string;
  from: { startsAt: Date; endsAt: Date; room: string | null };
  to: { startsAt: Date; endsAt: Date; room: string | null };
};

/** The changelog of an edition as a viewer may read it: entries about sessions they may not see are absent. */
export async function listProgramChanges(tx: Executor, scope: AccessScope, conferenceId: string, limit = 200): Promise<ChangelogEntry[]> {
  const rows = await tx
    .select({
      id: programChanges.id,
      at: programChanges.at,
      kind: programChanges.kind,
      details: programChanges.details,
      sessionId: programSessions.id,
      title: programSessions.title,
    })
    .from(programChanges)
    .innerJoin(programSessions, eq(programSessions.id, programChanges.sessionId))
    .where(and(eq(programChanges.conferenceId, conferenceId), sessionVisibleTo(scope)))
    .orderBy(desc(programChanges.id))
    .limit(limit);
  const slot = (value: { startsAt: string; endsAt: string; room: string | null }) => ({
    startsAt: new Date(value.startsAt),
    endsAt: new Date(value.endsAt),
    room: value.room,
  });
  return rows.map((row) => ({ id: row.id, at: row.at, kind: row.kind, sessionId: row.sessionId, title: row.title, from: slot(row.details.from), to: slot(row.details.to) }));
}

/** How many changes each session has had: an iCalendar SEQUENCE, so calendars replace the old version of an event. */
export async function changeCounts(tx: Executor, sessionIds: string[]): Promise<Map<string, number>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await tx
    .select({ sessionId: programChanges.sessionId, count: sql<number>`count(*)::int` })
    .from(programChanges)
    .where(inArray(programChanges.sessionId, sessionIds))
    .groupBy(programChanges.sessionId);
  return new Map(rows.map((row) => [row.sessionId, Number(row.count)]));
}
