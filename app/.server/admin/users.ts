import { and, desc, eq, ilike, or, sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { GRANTED_ROLES, sessions, totpCredentials, users, type GrantedRole } from "#db/schema/accounts.ts";
import { vettingApplications } from "#db/schema/vetting.ts";
import { NotFoundError } from "../errors.ts";
import { invalidateUserSessions } from "../accounts/sessions.ts";
import { recordAudit } from "../audit/log.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { ForbiddenError } from "../errors.ts";
import { PAGE_SIZE } from "./context.ts";
import { assertPermission, type Actor } from "../accounts/permissions.ts";
import { likePattern, searchTerm } from "../http/search.ts";

/** The roles an admin grants; "attendee" and "member" follow from a verified address and from vetting. */
export const GRANTABLE_ROLES = GRANTED_ROLES;

/** Accounts whose address or name contains the term; the newest accounts when there is none. */
export async function searchUsers(actor: Actor, term: string) {
  assertPermission(actor, "manage:roles");
  const query = searchTerm(term, 200);
  const rows = await getDb()
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      agency: users.agency,
      roles: users.roles,
      emailVerified: sql<boolean>`${users.emailVerifiedAt} is not null`,
      memberUntil: users.memberUntil,
      status: users.status,
      createdAt: users.createdAt,
      // Spelled out: Drizzle leaves columns unqualified in a one-table select, which would make these ambiguous.
      mfaEnrolled: sql<boolean>`exists (select 1 from ${totpCredentials} t where t.user_id = users.id)`,
      sessions: sql<number>`(select count(*) from ${sessions} s where s.user_id = users.id)::int`,
    })
    .from(users)
    .where(query ? or(ilike(users.email, likePattern(query)), ilike(users.name, likePattern(query))) : undefined)
    .orderBy(query ? users.email : desc(users.createdAt))
    .limit(PAGE_SIZE + 1);
  return {
    rows: rows.slice(0, PAGE_SIZE).map((row) => ({ ...row, sessions: Number(row.sessions) })),
    more: rows.length > PAGE_SIZE,
  };
}

export type RoleChange = { ok: true; changed: boolean } | { ok: false; status: 400 | 404; message: string };

function roleMail(to: string, name: string, role: GrantedRole, granted: boolean) {
  return {
    to,
    subject: granted ? `You were given the ${role} role on Liaison` : `Your ${role} role on Liaison was removed`,
    text: granted
      ? `Hello ${name},\n\nAn administrator gave your Liaison account the ${role} role. If you did not expect this, tell the organizers.`
      : `Hello ${name},\n\nAn administrator removed the ${role} role from your Liaison account.`,
  };
}

/** Grants a role; granting one the account already holds changes and records nothing. */
export async function grantRole(actor: Actor, input: { userId: string; role: GrantedRole; ip: string | null }): Promise<RoleChange> {
  assertPermission(actor, "manage:roles");
  return getDb().transaction(async (tx): Promise<RoleChange> => {
    const [target] = await tx.select({ id: users.id }).from(users).where(eq(users.id, input.userId));
    if (!target) return { ok: false, status: 404, message: "There is no such account." };
    const [updated] = await tx
      .update(users)
      .set({ roles: sql`array_append(${users.roles}, ${input.role}::text)`, updatedAt: sql`now()` })
      .where(and(eq(users.id, input.userId), sql`not (${input.role}::text = any(${users.roles}))`))
      .returning({ email: users.email, name: users.name });
    if (!updated) return { ok: true, changed: false };
    await recordAudit({ action: "role.granted", actorId: actor.id, subjectType: "user", subjectId: input.userId, ip: input.ip, details: { role: input.role } }, tx);
    await enqueueMail(roleMail(updated.email, updated.name, input.role, true), tx);
    return { ok: true, changed: true };
  });
}

/**
 * Revokes a role. An admin may not revoke their own admin role, and the last active admin keeps theirs: two admins
 * revoking each other at once take turns on the admin rows, so the second finds the first already gone.
 */
export async function revokeRole(actor: Actor, input: { userId: string; role: GrantedRole; ip: string | null }): Promise<RoleChange> {
  assertPermission(actor, "manage:roles");
  if (input.userId === actor.id && input.role === "admin") {
    return { ok: false, status: 400, message: "You cannot revoke your own admin role. Ask another administrator." };
  }
  return getDb().transaction(async (tx): Promise<RoleChange> => {
    if (input.role === "admin") {
      const admins = await tx
        .select({ id: users.id, active: sql<boolean>`${users.status} = 'active' and ${users.emailVerifiedAt} is not null` })
        .from(users)
        .where(sql`'admin' = any(${users.roles})`)
        .orderBy(users.id)
        .for("update");
      // The actor's own admin role may have gone in a transaction that committed while this one waited.
      if (!admins.some((admin) => admin.id === actor.id)) throw new ForbiddenError();
      const othersActive = admins.filter((admin) => admin.id !== input.userId && admin.active);
      if (admins.some((admin) => admin.id === input.userId) && othersActive.length === 0) {
        return { ok: false, status: 400, message: "This is the last active administrator: give another account the admin role first." };
      }
    }
    const [target] = await tx.select({ id: users.id }).from(users).where(eq(users.id, input.userId));
    if (!target) return { ok: false, status: 404, message: "There is no such account." };
    const [updated] = await tx
      .update(users)
      .set({ roles: sql`array_remove(${users.roles}, ${input.role}::text)`, updatedAt: sql`now()` })
      .where(and(eq(users.id, input.userId), sql`${input.role}::text = any(${users.roles})`))
      .returning({ email: users.email, name: users.name });
    if (!updated) return { ok: true, changed: false };
    await recordAudit({ action: "role.revoked", actorId: actor.id, subjectType: "user", subjectId: input.userId, ip: input.ip, details: { role: input.role } }, tx);
    await enqueueMail(roleMail(updated.email, updated.name, input.role, false), tx);
    return { ok: true, changed: true };
  });
}

/** Signs the account out everywhere, e.g. after a lost device or a suspected takeover. */
export async function endAllSessionsOf(actor: Actor, input: { userId: string; ip: string | null }): Promise<{ ok: true; ended: number } | { ok: false; status: 404; message: string }> {
  assertPermission(actor, "end:sessions");
  return getDb().transaction(async (tx) => {
    const [target] = await tx.select({ id: users.id }).from(users).where(eq(users.id, input.userId));
    if (!target) return { ok: false as const, status: 404 as const, message: "There is no such account." };
    const [counted] = await tx.select({ n: sql<number>`count(*)::int` }).from(sessions).where(eq(sessions.userId, input.userId));
    await invalidateUserSessions(input.userId, {}, tx);
    const ended = Number(counted?.n ?? 0);
    // A repeated click finds nothing to end and records nothing.
    if (ended === 0) return { ok: true as const, ended };
    await recordAudit(
      { action: "auth.sessions_ended", actorId: actor.id, subjectType: "user", subjectId: input.userId, ip: input.ip, details: { scope: "all", ended } },
      tx,
    );
    return { ok: true as const, ended };
  });
}

/**
 * One account as an admin manages it, on one page: profile, roles, standing, sessions and vetting applications.
 * An unknown id is a NotFoundError, as for any row.
 */
export async function getUserForAdmin(actor: Actor, userId: string) {
  assertPermission(actor, "manage:roles");
  const [user] = await getDb()
    .select({
      id: users.id,
      email: users.email,
      name: users.name,
      agency: users.agency,
      jobTitle: users.jobTitle,
      country: users.country,
      roles: users.roles,
      emailVerifiedAt: users.emailVerifiedAt,
      memberUntil: users.memberUntil,
      status: users.status,
      suspendedReason: users.suspendedReason,
      createdAt: users.createdAt,
      mfaEnrolled: sql<boolean>`exists (select 1 from ${totpCredentials} t where t.user_id = users.id)`,
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!user) throw new NotFoundError("There is no such account.");
  const userSessions = await getDb()
    .select({ createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, ip: sessions.ip, userAgent: sessions.userAgent, mfaVerifiedAt: sessions.mfaVerifiedAt })
    .from(sessions)
    .where(eq(sessions.userId, userId))
    .orderBy(desc(sessions.lastSeenAt));
  const applications = await getDb()
    .select({ id: vettingApplications.id, status: vettingApplications.status, agency: vettingApplications.agency, createdAt: vettingApplications.createdAt, decidedAt: vettingApplications.decidedAt })
    .from(vettingApplications)
    .where(eq(vettingApplications.userId, userId))
    .orderBy(desc(vettingApplications.createdAt));
  return { user, sessions: userSessions, applications };
}
