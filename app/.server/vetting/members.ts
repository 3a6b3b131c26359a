import { and, asc, eq, gt, ilike, lte, or, sql, type SQL } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { users, type User } from "#db/schema/accounts.ts";
import { revokeUnusedTokens } from "../accounts/email-tokens.ts";
import { invalidateUserSessions } from "../accounts/sessions.ts";
import { recordAudit } from "../audit/log.ts";
import { config } from "../config.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { assertPermission, type Actor } from "../accounts/permissions.ts";
import type { RequestOrigin } from "../accounts/site-url.ts";
import { reinstatedMail, suspendedMail } from "./mails.ts";
import { likePattern } from "../http/search.ts";
import { ForbiddenError } from "../errors.ts";

export type Standing = "suspended" | "member" | "expired" | "attendee" | "unverified";

/** One word for where an account stands; a suspension outranks everything else. */
export function standingOf(user: Pick<User, "status" | "memberUntil" | "emailVerifiedAt">, now = new Date()): Standing {
  if (user.status === "suspended") return "suspended";
  if (user.memberUntil && user.memberUntil > now) return "member";
  if (user.memberUntil) return "expired";
  return user.emailVerifiedAt ? "attendee" : "unverified";
}

const activeMember = and(eq(users.status, "active"), gt(users.memberUntil, sql`now()`), sql`${users.emailVerifiedAt} is not null`);

/** The member directory: active, unexpired members only, and only what members may know of each other. */
export async function listMemberDirectory(actor: Actor, term: string) {
  assertPermission(actor, "view:members");
  const search = term ? or(ilike(users.name, likePattern(term)), ilike(users.agency, likePattern(term))) : undefined;
  const rows = await getDb()
    .select({ id: users.id, name: users.name, agency: users.agency, jobTitle: users.jobTitle, country: users.country })
    .from(users)
    .where(and(activeMember, search))
    .orderBy(asc(users.name), asc(users.id))
    .limit(DIRECTORY_LIMIT + 1);
  return { rows: rows.slice(0, DIRECTORY_LIMIT), more: rows.length > DIRECTORY_LIMIT };
}

const DIRECTORY_LIMIT = 200;

export const MEMBER_FILTERS = ["all", "members", "expiring", "expired", "suspended"] as const;
export type MemberFilter = (typeof MEMBER_FILTERS)[number];

export function parseMemberFilter(value: string | null): MemberFilter {
  return (MEMBER_FILTERS as readonly string[]).includes(value ?? "") ? (value as MemberFilter) : "all";
}

/** Every account, for the organizers: who is a member until when, who is suspended and why. */
export async function listAccountsForOrganizers(actor: Actor, input: { term: string; filter: MemberFilter }) {
  assertPermission(actor, "suspend:member");
  const pattern = likePattern(input.term);
  const search = input.term ? or(ilike(users.name, pattern), ilike(users.email, pattern), ilike(users.agency, pattern)) : undefined;
  const filters: Record<MemberFilter, SQL | undefined> = {
    all: undefined,
    members: activeMember,
    expiring: and(
      eq(users.status, "active"),
      gt(users.memberUntil, sql`now()`),
      lte(users.memberUntil, sql`now() + make_interval(days => ${config().membership.reminderDays})`),
    ),
    expired: and(eq(users.status, "active"), lte(users.memberUntil, sql`now()`)),
    suspended: eq(users.status, "suspended"),
  };
  const rows = await getDb()
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      agency: users.agency,
      country: users.country,
      roles: users.roles,
      emailVerifiedAt: users.emailVerifiedAt,
      memberUntil: users.memberUntil,
      membershipReminderSentAt: users.membershipReminderSentAt,
      status: users.status,
      suspendedReason: users.suspendedReason,
    })
    .from(users)
    .where(and(filters[input.filter], search))
    .orderBy(asc(users.name), asc(users.id))
    .limit(ACCOUNTS_LIMIT + 1);
  const now = new Date();
  return {
    rows: rows.slice(0, ACCOUNTS_LIMIT).map((row) => ({
      ...row,
      standing: standingOf(row, now),
      protected:
        row.roles.includes("admin") ||
        row.id === actor.id ||
        ((row.roles.includes("organizer") || row.roles.includes("moderator")) && !actor.permissions.has("manage:roles")),
    })),
    more: rows.length > ACCOUNTS_LIMIT,
  };
}

const ACCOUNTS_LIMIT = 200;

export type SuspendOutcome = "suspended" | "already_suspended" | "not_found" | "self" | "admin" | "staff";

/**
 * Suspends an account and ends all its sessions in the same transaction, so no request of theirs gets through
 * after the organizer's click. Nobody suspends themselves or an admin (an admin loses the role first).
 */
export async function suspendMember(actor: Actor, input: { userId: string; reason: string }, origin: RequestOrigin): Promise<SuspendOutcome> {
  assertPermission(actor, "suspend:member");
  if (input.userId === actor.id) return "self";
  return getDb().transaction(async (tx) => {
    const [target] = await tx
      .select({ id: users.id, email: users.email, name: users.name, roles: users.roles, status: users.status })
      .from(users)
      .where(eq(users.id, input.userId))
      .for("update");
    if (!target) return "not_found";
    if (target.roles.includes("admin")) return "admin";
    // Suspending a fellow organizer or a moderator is an admin's call, as granting those roles is.
    if ((target.roles.includes("organizer") || target.roles.includes("moderator")) && !actor.permissions.has("manage:roles")) return "staff";
    if (target.status === "suspended") return "already_suspended";
    await tx
      .update(users)
      .set({ status: "suspended", suspendedReason: input.reason, updatedAt: sql`now()` })
      .where(eq(users.id, target.id));
    await invalidateUserSessions(target.id, {}, tx);
    await revokeUnusedTokens(target.id, tx);
    await recordAudit(
      { action: "member.suspended", actorId: actor.id, subjectType: "user", subjectId: target.id, ip: origin.ip, details: { reason: input.reason } },
      tx,
    );
    await enqueueMail(suspendedMail(target.email, target.name, input.reason), tx);
    return "suspended";
  });
}

/**
 * Lifts a suspension. Reinstating needs the same standing as suspending: an organizer who may not suspend a fellow
 * organizer or a moderator may not reinstate one either (a 403).
 */
export async function reinstateMember(actor: Actor, userId: string, origin: RequestOrigin): Promise<"reinstated" | "not_suspended" | "not_found"> {
  assertPermission(actor, "suspend:member");
  return getDb().transaction(async (tx) => {
    const [target] = await tx
      .select({ id: users.id, email: users.email, name: users.name, roles: users.roles, status: users.status })
      .from(users)
      .where(eq(users.id, userId))
      .for("update");
    if (!target) return "not_found";
    if (isStaffOnlyAnAdminMayJudge(actor, target.roles)) {
      throw new ForbiddenError("Only an administrator may reinstate an organizer, a moderator or an admin.");
    }
    if (target.status !== "suspended") return "not_suspended";
    await tx.update(users).set({ status: "active", suspendedReason: null, updatedAt: sql`now()` }).where(eq(users.id, target.id));
    await recordAudit({ action: "member.reinstated", actorId: actor.id, subjectType: "user", subjectId: userId, ip: origin.ip }, tx);
    await enqueueMail({ ...reinstatedMail(target.email, target.name, origin.link("/login")), userId: target.id }, tx);
    return "reinstated";
  });
}

/** Organizers, moderators and admins are judged (suspended, reinstated) by an admin only. */
function isStaffOnlyAnAdminMayJudge(actor: Actor, roles: readonly string[]): boolean {
  return (roles.includes("admin") || roles.includes("organizer") || roles.includes("moderator")) && !actor.permissions.has("manage:roles");
}
