import { and, asc, eq, sql } from "drizzle-orm";
import { getDb, type Executor } from "#db/client.ts";
import { groupMembers, groups, type GroupKind, type GroupRole } from "#db/schema/access.ts";
import { users } from "#db/schema/accounts.ts";
import type { Actor } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/log.ts";
import { ForbiddenError, invalid, NotFoundError } from "../errors.ts";
import { GROUP_LIMITS } from "#app/shared/groups.ts";
import type { AddGroupMemberInput, CreateGroupInput } from "./schemas.ts";

/**
 * Named groups of people (agencies, communities, lists) that a resource can be shown to (the "group" audience).
 * Staff (holders of manage:groups) create groups and manage every one; a group's managers manage its members.
 * Who belongs to which group reaches each request with the session (viewer.access.groups).
 */

const staff = (actor: Actor) => actor.permissions.has("manage:groups");

/** "Drug Enforcement Administration – NY" → "drug-enforcement-administration-ny". */
export function slugFor(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, GROUP_LIMITS.slug)
    .replace(/^-+|-+$/g, "");
}

export async function createGroup(actor: Actor, input: CreateGroupInput, ip: string | null): Promise<{ id: string; slug: string }> {
  if (!staff(actor)) throw new ForbiddenError("Only organizers and admins create groups.");
  const slug = input.slug || slugFor(input.name);
  if (!slug) throw invalid("slug", "Give the group a short name for its address, in letters, digits and hyphens.");
  return getDb().transaction(async (tx) => {
    const [created] = await tx
      .insert(groups)
      .values({ kind: input.kind, name: input.name, slug, createdBy: actor.id })
      .onConflictDoNothing()
      .returning({ id: groups.id, slug: groups.slug });
    if (!created) {
      const [taken] = await tx.select({ slug: groups.slug }).from(groups).where(eq(groups.slug, slug));
      if (taken) throw invalid("slug", `The short name ${slug} is taken by another group: choose another.`);
      throw invalid("name", `There already is a group of this kind named ${input.name}.`);
    }
    await recordAudit(
      { action: "group.created", actorId: actor.id, subjectType: "group", subjectId: created.id, ip, details: { kind: input.kind, name: input.name, slug } },
      tx,
    );
    return created;
  });
}

export type ViewerGroup = { id: string; kind: GroupKind; name: string; slug: string; role: GroupRole };

/** The groups a user belongs to, with their role in each. */
export async function listViewerGroups(viewer: { id: string }, tx: Executor = getDb()): Promise<ViewerGroup[]> {
  return tx
    .select({ id: groups.id, kind: groups.kind, name: groups.name, slug: groups.slug, role: groupMembers.role })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(eq(groupMembers.userId, viewer.id))
    .orderBy(asc(groups.name), asc(groups.id));
}

const memberCount = sql<number>`(select count(*)::int from ${groupMembers} where ${groupMembers.groupId} = ${groups.id})`;

/**
 * The groups this actor may manage: every group for staff, else the ones they manage. Someone who manages no
 * group has nothing to do here (403).
 */
export async function listManageableGroups(actor: Actor) {
  const query = getDb()
    .select({ id: groups.id, kind: groups.kind, name: groups.name, slug: groups.slug, createdAt: groups.createdAt, members: memberCount })
    .from(groups)
    .orderBy(asc(groups.kind), asc(groups.name), asc(groups.id))
    .$dynamic();
  if (staff(actor)) return { groups: await query, mayCreate: true };
  const managed = await query.where(
    sql`exists (select 1 from ${groupMembers} where ${groupMembers.groupId} = ${groups.id} and ${groupMembers.userId} = ${actor.id} and ${groupMembers.role} = 'manager')`,
  );
  if (managed.length === 0) throw new ForbiddenError("You do not manage any group. Organizers create groups and name their managers.");
  return { groups: managed, mayCreate: false };
}

/**
 * The group, if the actor may manage it. A group is no secret to its own members (403 for them), but its existence is
 * to everyone else (404). With `lock`, the group's row stays locked until the transaction ends: every change to a
 * group's members takes that lock first, so changes to one group run one after the other, and a manager removed a
 * moment ago can no longer act.
 */
async function requireManagedGroup(tx: Executor, actor: Actor, groupId: string, options: { lock: boolean }) {
  const query = tx.select().from(groups).where(eq(groups.id, groupId));
  const [group] = options.lock ? await query.for("update") : await query;
  if (!group) throw new NotFoundError();
  if (staff(actor)) return group;
  const [own] = await tx
    .select({ role: groupMembers.role })
    .from(groupMembers)
    .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, actor.id)));
  if (!own) throw new NotFoundError();
  if (own.role !== "manager") throw new ForbiddenError("Only the group's managers and organizers can change who belongs to it.");
  return group;
}

/** One group and its members, for its staff or its managers. */
export async function getGroup(actor: Actor, groupId: string) {
  const db = getDb();
  const group = await requireManagedGroup(db, actor, groupId, { lock: false });
  const addedBy = sql<string | null>`(select ${users.name} from ${users} where ${users.id} = ${groupMembers.addedBy})`;
  const members = await db
    .select({ userId: users.id, name: users.name, email: users.email, agency: users.agency, role: groupMembers.role, addedAt: groupMembers.addedAt, addedBy })
    .from(groupMembers)
    .innerJoin(users, eq(users.id, groupMembers.userId))
    .where(eq(groupMembers.groupId, groupId))
    .orderBy(sql`${groupMembers.role} = 'manager' desc`, asc(users.name), asc(users.id));
  return { group, members };
}

export type AddMemberOutcome = { outcome: "added" | "role_changed" | "unchanged"; name: string; role: GroupRole };

/** Adds an account to a group, or changes its role there; a second submission of the same changes nothing. */
export async function addGroupMember(
  actor: Actor,
  groupId: string,
  input: Pick<AddGroupMemberInput, "email" | "role">,
  ip: string | null,
): Promise<AddMemberOutcome> {
  return getDb().transaction(async (tx) => {
    await requireManagedGroup(tx, actor, groupId, { lock: true });
    const [person] = await tx
      .select({ id: users.id, name: users.name, verified: sql<boolean>`${users.emailVerifiedAt} is not null` })
      .from(users)
      .where(eq(users.email, input.email));
    if (!person) throw invalid("email", "No account uses this address. Ask the person to sign up first.");
    // An unproven address could belong to anyone: it must not bring a group's access with it.
    if (!person.verified) throw invalid("email", "This account has not verified its address yet. Ask the person to follow the link in their mail first.");

    const audit = (action: "group.member_added" | "group.member_role_changed", details: Record<string, unknown>) =>
      recordAudit({ action, actorId: actor.id, subjectType: "group", subjectId: groupId, ip, details: { userId: person.id, ...details } }, tx);
    const [inserted] = await tx
      .insert(groupMembers)
      .values({ groupId, userId: person.id, role: input.role, addedBy: actor.id })
      .onConflictDoNothing()
      .returning({ role: groupMembers.role });
    if (inserted) {
      await audit("group.member_added", { role: input.role });
      return { outcome: "added", name: person.name, role: input.role };
    }
    const [previous] = await tx
      .select({ role: groupMembers.role })
      .from(groupMembers)
      .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, person.id)));
    if (!previous || previous.role === input.role) return { outcome: "unchanged", name: person.name, role: input.role };
    await tx
      .update(groupMembers)
      .set({ role: input.role })
      .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, person.id)));
    await audit("group.member_role_changed", { from: previous.role, to: input.role });
    return { outcome: "role_changed", name: person.name, role: input.role };
  });
}

/** Takes an account out of a group; taking out someone who is not in it (a second click) changes nothing. */
export async function removeGroupMember(
  actor: Actor,
  groupId: string,
  userId: string,
  ip: string | null,
): Promise<{ outcome: "removed" | "absent"; name: string | null }> {
  return getDb().transaction(async (tx) => {
    await requireManagedGroup(tx, actor, groupId, { lock: true });
    const [removed] = await tx
      .delete(groupMembers)
      .where(and(eq(groupMembers.groupId, groupId), eq(groupMembers.userId, userId)))
      .returning({ role: groupMembers.role });
    if (!removed) return { outcome: "absent", name: null };
    await recordAudit(
      { action: "group.member_removed", actorId: actor.id, subjectType: "group", subjectId: groupId, ip, details: { userId, role: removed.role } },
      tx,
    );
    const [person] = await tx.select({ name: users.name }).from(users).where(eq(users.id, userId));
    return { outcome: "removed", name: person?.name ?? null };
  });
}
