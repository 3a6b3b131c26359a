import { and, eq, ne, sql, type SQL } from "drizzle-orm";
import { database, getDb, type Transaction } from "#db/client.ts";
import { sessions, type GrantedRole } from "#db/schema/accounts.ts";
import { viewerAccessColumns, viewerAccessOf, type ViewerAccessRow } from "../access/viewer-access.ts";
import { recordAudit } from "../audit/log.ts";
import { config } from "../config.ts";
import { deriveRoles, isPrivileged, permissionsOf, type Permission, type Role } from "./permissions.ts";
import { generateToken, hashToken } from "./tokens.ts";

export type Viewer = {
  id: string;
  email: string;
  name: string;
  agency: string;
  jobTitle: string;
  country: string;
  emailVerified: boolean;
  memberUntil: Date | null;
  roles: Role[];
  permissions: Set<Permission>;
  mfaEnrolled: boolean;
  session: { id: string; createdAt: Date; mfaVerified: boolean; privileged: boolean };
  /** What resource access conditions need (see access/audience.ts). */
  access: { attending: string[]; groups: string[] };
};

/** Raw rows carry timestamps as driver-specific strings; epoch milliseconds read the same on both drivers. */
const epochMs = (column: SQL) => sql`(extract(epoch from ${column}) * 1000)::float8`;

type SessionRow = {
  id: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  mfa_verified: boolean;
  email: string;
  name: string;
  agency: string;
  job_title: string;
  country: string;
  roles: GrantedRole[];
  member_until: number | null;
  email_verified: boolean;
  status: string;
  mfa_enrolled: boolean;
  now: number;
} & ViewerAccessRow;

export type SessionCheck =
  | { valid: true; viewer: Viewer; refreshCookie: boolean }
  | { valid: false };

export async function createSession(
  userId: string,
  meta: { ip?: string | null; userAgent?: string | null; mfaVerified?: boolean },
  tx: Transaction,
): Promise<{ token: string; sessionId: string }> {
  const token = generateToken();
  const sessionId = hashToken(token);
  await tx.insert(sessions).values({
    id: sessionId,
    userId,
    ip: meta.ip ?? null,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    mfaVerifiedAt: meta.mfaVerified ? new Date() : null,
  });
  return { token, sessionId };
}

const TOUCH_INTERVAL_SECONDS = 60;

/**
 * Checks a session token in one round trip: the statement finds the session and its user and, at most once a
 * minute, records the activity that keeps an idle timeout from firing.
 */
export async function validateSessionToken(token: string): Promise<SessionCheck> {
  const sessionId = hashToken(token);
  const [row] = await database().rows<SessionRow>(sql`
    with found as (
      select s.id, s.user_id, ${epochMs(sql`s.created_at`)} as created_at, ${epochMs(sql`s.last_seen_at`)} as last_seen_at,
             s.mfa_verified_at is not null as mfa_verified,
             u.email, u.name, u.agency, u.job_title, u.country, u.roles, ${epochMs(sql`u.member_until`)} as member_until,
             u.email_verified_at is not null as email_verified, u.status,
             exists (select 1 from totp_credentials t where t.user_id = u.id) as mfa_enrolled,
             ${viewerAccessColumns(sql`u.id`)}
      from sessions s join users u on u.id = s.user_id
      where s.id = ${sessionId}
    ), touched as (
      -- Postgres runs a data-modifying CTE whether or not the query reads it.
      update sessions set last_seen_at = now()
      where id = ${sessionId} and last_seen_at < now() - make_interval(secs => ${TOUCH_INTERVAL_SECONDS})
      returning id
    )
    select found.*, ${epochMs(sql`now()`)} as now from found`);
  if (!row) return { valid: false };

  const now = new Date(Number(row.now));
  const memberUntil = row.member_until === null ? null : new Date(Number(row.member_until));
  const roles = deriveRoles({ emailVerifiedAt: row.email_verified ? now : null, memberUntil, roles: row.roles }, now);
  const privileged = isPrivileged(roles);
  const limits = privileged ? config().sessions.privileged : config().sessions.attendee;
  const age = (now.getTime() - Number(row.created_at)) / 1000;
  const idle = (now.getTime() - Number(row.last_seen_at)) / 1000;
  if (row.status !== "active" || age > limits.absoluteSeconds || idle > limits.idleSeconds) {
    await getDb().transaction((tx) => invalidateSession(sessionId, tx));
    return { valid: false };
  }
  const viewer: Viewer = {
    id: row.user_id,
    email: row.email,
    name: row.name,
    agency: row.agency,
    jobTitle: row.job_title,
    country: row.country,
    emailVerified: row.email_verified,
    memberUntil,
    roles,
    permissions: permissionsOf(roles),
    mfaEnrolled: row.mfa_enrolled,
    session: { id: row.id, createdAt: new Date(Number(row.created_at)), mfaVerified: row.mfa_verified, privileged },
    access: viewerAccessOf(row),
  };
  // Attendee cookies slide: re-issue at most once an hour so the browser's expiry follows the server's.
  const refreshCookie = !privileged && idle > 3600;
  return { valid: true, viewer, refreshCookie };
}

export async function invalidateSession(sessionId: string, tx: Transaction): Promise<void> {
  await tx.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function invalidateUserSessions(
  userId: string,
  options: { except?: string },
  tx: Transaction,
): Promise<void> {
  await tx
    .delete(sessions)
    .where(options.except ? and(eq(sessions.userId, userId), ne(sessions.id, options.except)) : eq(sessions.userId, userId));
}

/** False when the session no longer exists. */
export async function markSessionMfaVerified(sessionId: string, tx: Transaction): Promise<boolean> {
  const updated = await tx.update(sessions).set({ mfaVerifiedAt: new Date() }).where(eq(sessions.id, sessionId)).returning({ id: sessions.id });
  return updated.length === 1;
}

export async function listUserSessions(userId: string) {
  return getDb()
    .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, ip: sessions.ip, userAgent: sessions.userAgent })
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(sql`${sessions.lastSeenAt} desc`);
}

/** Ends this one session, with its audit entry. */
export async function signOut(viewer: Pick<Viewer, "id" | "session">, ip: string | null): Promise<void> {
  await getDb().transaction(async (tx) => {
    await invalidateSession(viewer.session.id, tx);
    await recordAudit({ action: "auth.sign_out", actorId: viewer.id, subjectType: "user", subjectId: viewer.id, ip }, tx);
  });
}
