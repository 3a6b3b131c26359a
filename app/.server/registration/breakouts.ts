import { and, asc, eq, inArray, isNotNull, ne, sql } from "drizzle-orm";
import { getDb, type Transaction } from "#db/client.ts";
import { conferences, programSessions, rooms, sessionSpeakers, speakers } from "#db/schema/agenda.ts";
import { breakoutSeats, breakoutSignups, registrations, type SignupStatus } from "#db/schema/registration.ts";
import type { Viewer } from "../accounts/sessions.ts";
import { accessScope } from "../access/audience.ts";
import { canSeeSession, sessionVisibleTo } from "../agenda/visibility.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "../errors.ts";
import { lockSessionLedger, releaseSessionSeat, takeSessionSeat } from "./ledger.ts";
import type { Links } from "./mails.ts";
import { isSeated } from "./registrations.ts";
import { registrationContext } from "./settings.ts";

/**
 * Sessions with a limited number of seats: an attendee with a seat at the conference signs up for one, or joins its
 * waitlist when it is full, and cannot hold two that overlap (a waitlist place counts, since it may turn into a seat).
 */

export type SignupResult = { status: Exclude<SignupStatus, "cancelled">; position: number | null };

/**
 * Signs the viewer up. The viewer's registration row is locked first, so their own sign-ups happen one at a time (two
 * tabs cannot both pass the overlap check), then the session's ledger. Signing up again for the same session returns
 * where they already stand.
 */
export async function signUpForSession(viewer: Viewer, sessionId: string): Promise<SignupResult> {
  const scope = accessScope(viewer);
  return getDb().transaction(async (tx) => {
    const context = await registrationContext(tx);
    const [registration] = await tx
      .select({ id: registrations.id, status: registrations.status })
      .from(registrations)
      .where(and(eq(registrations.conferenceId, context.conference.id), eq(registrations.userId, viewer.id)))
      .for("update");
    if (!registration || !isSeated(registration.status)) {
      throw new ForbiddenError("Only attendees whose registration is approved can sign up for sessions.");
    }
    const [session] = await tx
      .select({
        id: programSessions.id,
        conferenceId: programSessions.conferenceId,
        audience: programSessions.audience,
        capacity: programSessions.capacity,
        status: programSessions.status,
        startsAt: programSessions.startsAt,
        endsAt: programSessions.endsAt,
        published: conferences.published,
        speakerUserIds: sql<(string | null)[]>`array(select ${speakers.userId} from ${sessionSpeakers} join ${speakers} on ${speakers.id} = ${sessionSpeakers.speakerId} where ${sessionSpeakers.sessionId} = ${programSessions.id})`,
      })
      .from(programSessions)
      .innerJoin(conferences, eq(conferences.id, programSessions.conferenceId))
      .where(eq(programSessions.id, sessionId));
    // The viewer's scope came with the session check, before this registration was approved: they attend now.
    const attending = { ...scope, attending: [...scope.attending, context.conference.id] };
    if (!session || session.conferenceId !== context.conference.id || !canSeeSession(attending, session)) throw new NotFoundError();
    if (session.capacity === null) throw new ConflictError("This session has no sign-up: just come.");
    if (session.status === "cancelled") throw new ConflictError("This session is cancelled.");

    const [existing] = await tx
      .select({ id: breakoutSignups.id, status: breakoutSignups.status })
      .from(breakoutSignups)
      .where(and(eq(breakoutSignups.sessionId, sessionId), eq(breakoutSignups.userId, viewer.id)));
    if (existing && existing.status !== "cancelled") return { status: existing.status, position: await positionOf(existing.id, tx) };

    const [clash] = await tx
      .select({ title: programSessions.title })
      .from(breakoutSignups)
      .innerJoin(programSessions, eq(programSessions.id, breakoutSignups.sessionId))
      .where(
        and(
          eq(breakoutSignups.userId, viewer.id),
          inArray(breakoutSignups.status, ["confirmed", "waitlisted"]),
          ne(programSessions.status, "cancelled"),
          ne(programSessions.id, sessionId),
          sql`tstzrange(${programSessions.startsAt}, ${programSessions.endsAt}) && tstzrange(${session.startsAt.toISOString()}::timestamptz, ${session.endsAt.toISOString()}::timestamptz)`,
        ),
      )
      .limit(1);
    if (clash) throw new ConflictError(`This session overlaps "${clash.title}", which you signed up for. Withdraw from that one first.`);

    const ledger = await lockSessionLedger(tx, sessionId);
    // The organizers may have cancelled the session or removed its sign-up while this request waited for the lock.
    if (ledger.cancelled) throw new ConflictError("This session is cancelled.");
    if (ledger.capacity === null) throw new ConflictError("This session has no sign-up: just come.");
    const status: SignupResult["status"] = (await takeSessionSeat(tx, ledger)) ? "confirmed" : "waitlisted";
    const values = { status, waitlistedAt: status === "waitlisted" ? sql`clock_timestamp()` : null, registrationId: registration.id, updatedAt: sql`now()` };
    const [row] = existing
      ? await tx.update(breakoutSignups).set(values).where(eq(breakoutSignups.id, existing.id)).returning({ id: breakoutSignups.id })
      : await tx.insert(breakoutSignups).values({ sessionId, userId: viewer.id, ...values }).returning({ id: breakoutSignups.id });
    return { status, position: status === "waitlisted" ? await positionOf(row!.id, tx) : null };
  });

  async function positionOf(signupId: string, tx: Transaction): Promise<number | null> {
    const [row] = await tx
      .select({ position: sql<number | null>`(select count(*)::int from ${breakoutSignups} w where w.session_id = s.session_id and w.status = 'waitlisted' and (w.waitlisted_at, w.id) <= (s.waitlisted_at, s.id))` })
      .from(sql`${breakoutSignups} s`)
      .where(sql`s.id = ${signupId} and s.status = 'waitlisted'`);
    return row?.position ?? null;
  }
}

/** Withdraws the viewer from a session; a seat they held goes to the head of its waitlist in the same transaction. */
export async function withdrawFromSession(viewer: Pick<Viewer, "id">, sessionId: string, links: Links): Promise<{ withdrawn: boolean; promoted: string | null }> {
  return getDb().transaction(async (tx) => {
    const context = await registrationContext(tx);
    const [registration] = await tx
      .select({ status: registrations.status })
      .from(registrations)
      .where(and(eq(registrations.conferenceId, context.conference.id), eq(registrations.userId, viewer.id)))
      .for("update");
    // A registration that lost its seat gave up its sign-ups with it.
    if (!registration || !isSeated(registration.status)) throw new ForbiddenError("Only attendees whose registration is approved have sessions to withdraw from.");
    const ledger = await lockSessionLedger(tx, sessionId);
    const [signup] = await tx
      .select({ id: breakoutSignups.id, status: breakoutSignups.status })
      .from(breakoutSignups)
      .where(and(eq(breakoutSignups.sessionId, sessionId), eq(breakoutSignups.userId, viewer.id)));
    if (!signup || signup.status === "cancelled") return { withdrawn: false, promoted: null };
    await tx.update(breakoutSignups).set({ status: "cancelled", waitlistedAt: null, updatedAt: sql`now()` }).where(eq(breakoutSignups.id, signup.id));
    return { withdrawn: true, promoted: signup.status === "confirmed" ? await releaseSessionSeat(tx, ledger, links) : null };
  });
}

export type BreakoutRow = {
  id: string;
  title: string;
  type: string;
  startsAt: Date;
  endsAt: Date;
  room: string | null;
  capacity: number;
  seatsTaken: number;
  mine: SignupStatus | null;
  /** The viewer's place on its waitlist. */
  position: number | null;
};

/** The current conference's sessions with limited seats that the viewer may see, with the viewer's sign-ups. One statement. */
export async function listBreakouts(viewer: Viewer): Promise<{ timeZone: string; sessions: BreakoutRow[] }> {
  const context = await registrationContext();
  const scope = accessScope(viewer);
  const mine = sql`(select s.status from ${breakoutSignups} s where s.session_id = ${programSessions.id} and s.user_id = ${viewer.id})`;
  const position = sql`(select count(*)::int from ${breakoutSignups} w, ${breakoutSignups} s
    where s.session_id = ${programSessions.id} and s.user_id = ${viewer.id} and s.status = 'waitlisted'
      and w.session_id = s.session_id and w.status = 'waitlisted' and (w.waitlisted_at, w.id) <= (s.waitlisted_at, s.id))`;
  const rows = await getDb()
    .select({
      id: programSessions.id,
      title: programSessions.title,
      type: programSessions.type,
      startsAt: programSessions.startsAt,
      endsAt: programSessions.endsAt,
      room: rooms.name,
      capacity: sql<number>`${programSessions.capacity}`,
      seatsTaken: breakoutSeats.seatsTaken,
      mine: sql<SignupStatus | null>`${mine}`,
      position: sql<number>`${position}`,
    })
    .from(programSessions)
    .innerJoin(breakoutSeats, eq(breakoutSeats.sessionId, programSessions.id))
    .leftJoin(rooms, eq(rooms.id, programSessions.roomId))
    .where(
      and(
        eq(programSessions.conferenceId, context.conference.id),
        isNotNull(programSessions.capacity),
        ne(programSessions.status, "cancelled"),
        sessionVisibleTo(scope),
      ),
    )
    .orderBy(asc(programSessions.startsAt), asc(programSessions.title));
  return {
    timeZone: context.conference.timeZone,
    sessions: rows.map((row) => ({ ...row, position: row.mine === "waitlisted" ? row.position : null })),
  };
}
