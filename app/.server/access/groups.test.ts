import crypto from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { groupMembers, groups } from "#db/schema/access.ts";
import { users } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { createGroup as groupFactory } from "#tests/factories/access.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { validateSessionToken } from "../accounts/sessions.ts";
import { ForbiddenError, InvalidError, NotFoundError } from "../errors.ts";
import { actorFor } from "#tests/factories/vetting.ts";
import {
  addGroupMember,
  createGroup,
  getGroup,
  listManageableGroups,
  listViewerGroups,
  removeGroupMember,
  slugFor,
} from "./groups.ts";
import { CreateGroupSchema } from "./schemas.ts";

const IP = "203.0.113.7";

async function organizer() {
  return actorFor(await createUser({ roles: ["organizer"] }));
}

async function auditFor(groupId: string) {
  return getDb()
    .select({ action: auditLog.action, actorId: auditLog.actorId, details: auditLog.details })
    .from(auditLog)
    .where(and(eq(auditLog.subjectType, "group"), eq(auditLog.subjectId, groupId)))
    .orderBy(asc(auditLog.id));
}

async function membersOf(groupId: string) {
  const rows = await getDb()
    .select({ userId: groupMembers.userId, role: groupMembers.role })
    .from(groupMembers)
    .where(eq(groupMembers.groupId, groupId));
  return rows.sort((a, b) => (a.userId < b.userId ? -1 : 1));
}

/** A community with a manager, a plain member and someone outside it. */
async function communityFixture() {
  const [manager, member, outsider, newcomer] = await Promise.all([
    createUser({ name: "Manager" }),
    createUser({ name: "Member" }),
    createUser({ name: "Outsider" }),
    createUser({ name: "Newcomer" }),
  ]);
  const group = await groupFactory({ managers: [manager], members: [member] });
  return { group, manager, member, outsider, newcomer };
}

describe("creating a group", () => {
  it("lets staff create one, with its audit entry, and makes the short name from the name", async () => {
    const actor = await organizer();
    const input = CreateGroupSchema.parse({ intent: "create", kind: "agency", name: "Drug Enforcement Administration – NY" });
    const created = await createGroup(actor, input, IP);
    expect(created.slug).toBe("drug-enforcement-administration-ny");
    const [stored] = await getDb().select().from(groups).where(eq(groups.id, created.id));
    expect(stored).toMatchObject({ kind: "agency", name: "Drug Enforcement Administration – NY", createdBy: actor.id });
    expect(await auditFor(created.id)).toEqual([
      { action: "group.created", actorId: actor.id, details: { kind: "agency", name: "Drug Enforcement Administration – NY", slug: created.slug } },
    ]);
  });

  it("refuses anyone without manage:groups, a group's managers included", async () => {
    const { manager } = await communityFixture();
    const input = CreateGroupSchema.parse({ intent: "create", kind: "list", name: "Speakers" });
    await expect(createGroup(actorFor(manager), input, IP)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(createGroup(actorFor(await createUser({ traits: ["verified", "member"] })), input, IP)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await getDb().select().from(groups).where(eq(groups.name, "Speakers"))).toEqual([]);
  });

  it("allows one group of a kind per name, whatever its case, and one group per short name", async () => {
    const actor = await organizer();
    await createGroup(actor, CreateGroupSchema.parse({ intent: "create", kind: "agency", name: "Border Force" }), IP);
    const again = createGroup(actor, CreateGroupSchema.parse({ intent: "create", kind: "agency", name: "BORDER FORCE", slug: "bf" }), IP);
    await expect(again).rejects.toBeInstanceOf(InvalidError);
    await expect(again).rejects.toMatchObject({ fieldErrors: { name: ["There already is a group of this kind named BORDER FORCE."] } });
    const sameSlug = createGroup(actor, CreateGroupSchema.parse({ intent: "create", kind: "community", name: "Border force" }), IP);
    await expect(sameSlug).rejects.toMatchObject({ fieldErrors: { slug: ["The short name border-force is taken by another group: choose another."] } });
    // The same name as another kind of group is a different group.
    const community = await createGroup(actor, CreateGroupSchema.parse({ intent: "create", kind: "community", name: "Border force", slug: "border-force-community" }), IP);
    expect(community.slug).toBe("border-force-community");
  });

  it("creates one group when the same form is sent several times at once", async () => {
    const actor = await organizer();
    const input = CreateGroupSchema.parse({ intent: "create", kind: "community", name: "Canine units" });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => createGroup(actor, input, IP)));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) if (result.status === "rejected") expect(result.reason).toBeInstanceOf(InvalidError);
    const stored = await getDb().select().from(groups).where(eq(groups.name, "Canine units"));
    expect(stored).toHaveLength(1);
    expect(await auditFor(stored[0]!.id)).toHaveLength(1);
  });

  it("asks for a short name when the name gives none", async () => {
    expect(slugFor("Таможня")).toBe("");
    const input = CreateGroupSchema.parse({ intent: "create", kind: "agency", name: "Таможня" });
    await expect(createGroup(await organizer(), input, IP)).rejects.toMatchObject({ fieldErrors: { slug: [expect.stringMatching(/short name/)] } });
  });
});

describe("adding and removing members", () => {
  it("lets a manager add a verified account, once, with one audit entry", async () => {
    const { group, manager, member, newcomer } = await communityFixture();
    const first = await addGroupMember(actorFor(manager), group.id, { email: newcomer.email, role: "member" }, IP);
    const second = await addGroupMember(actorFor(manager), group.id, { email: newcomer.email, role: "member" }, IP);
    expect(first).toEqual({ outcome: "added", name: "Newcomer", role: "member" });
    expect(second).toEqual({ outcome: "unchanged", name: "Newcomer", role: "member" });
    expect(await membersOf(group.id)).toEqual(
      [
        { userId: manager.id, role: "manager" },
        { userId: member.id, role: "member" },
        { userId: newcomer.id, role: "member" },
      ].sort((a, b) => (a.userId < b.userId ? -1 : 1)),
    );
    expect(await auditFor(group.id)).toEqual([
      { action: "group.member_added", actorId: manager.id, details: { userId: newcomer.id, role: "member" } },
    ]);
  });

  it("changes a member's role, and records the change", async () => {
    const { group, member } = await communityFixture();
    const staff = await organizer();
    expect(await addGroupMember(staff, group.id, { email: member.email, role: "manager" }, IP)).toEqual({
      outcome: "role_changed",
      name: "Member",
      role: "manager",
    });
    expect((await membersOf(group.id)).find((row) => row.userId === member.id)?.role).toBe("manager");
    expect(await auditFor(group.id)).toEqual([
      { action: "group.member_role_changed", actorId: staff.id, details: { userId: member.id, from: "member", to: "manager" } },
    ]);
  });

  it("refuses a plain member (403) and hides the group from anyone outside it (404)", async () => {
    const { group, member, outsider, newcomer } = await communityFixture();
    const input = { email: newcomer.email, role: "member" as const };
    await expect(addGroupMember(actorFor(member), group.id, input, IP)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(addGroupMember(actorFor(outsider), group.id, input, IP)).rejects.toBeInstanceOf(NotFoundError);
    await expect(removeGroupMember(actorFor(member), group.id, member.id, IP)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(removeGroupMember(actorFor(outsider), group.id, member.id, IP)).rejects.toBeInstanceOf(NotFoundError);
    await expect(addGroupMember(await organizer(), crypto.randomUUID(), input, IP)).rejects.toBeInstanceOf(NotFoundError);
    expect(await membersOf(group.id)).toHaveLength(2);
    expect(await auditFor(group.id)).toEqual([]);
  });

  it("adds only existing accounts whose address is verified", async () => {
    const { group, manager } = await communityFixture();
    const unverified = await createUser({ traits: [] });
    const add = (email: string) => addGroupMember(actorFor(manager), group.id, { email, role: "member" }, IP);
    await expect(add("nobody@agency.example")).rejects.toMatchObject({ fieldErrors: { email: [expect.stringMatching(/^No account uses this address/)] } });
    await expect(add(unverified.email)).rejects.toMatchObject({ fieldErrors: { email: [expect.stringMatching(/not verified its address/)] } });
    expect(await membersOf(group.id)).toHaveLength(2);
  });

  it("removes a member once, with one audit entry", async () => {
    const { group, manager, member } = await communityFixture();
    expect(await removeGroupMember(actorFor(manager), group.id, member.id, IP)).toEqual({ outcome: "removed", name: "Member" });
    expect(await removeGroupMember(actorFor(manager), group.id, member.id, IP)).toEqual({ outcome: "absent", name: null });
    expect(await membersOf(group.id)).toEqual([{ userId: manager.id, role: "manager" }]);
    expect(await auditFor(group.id)).toEqual([
      { action: "group.member_removed", actorId: manager.id, details: { userId: member.id, role: "member" } },
    ]);
  });

  it("adds once when the same person is added several times at once", async () => {
    const { group, manager, newcomer } = await communityFixture();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => addGroupMember(actorFor(manager), group.id, { email: newcomer.email, role: "member" }, IP)),
    );
    expect(results.filter((result) => result.outcome === "added")).toHaveLength(1);
    expect(results.filter((result) => result.outcome === "unchanged")).toHaveLength(5);
    expect(await membersOf(group.id)).toHaveLength(3);
    expect(await auditFor(group.id)).toHaveLength(1);
  });

  it("lets a manager removed at the same moment act only before the removal", async () => {
    for (let round = 0; round < 5; round++) {
      const { group, manager, newcomer } = await communityFixture();
      const staff = await organizer();
      const [added, removed] = await Promise.allSettled([
        addGroupMember(actorFor(manager), group.id, { email: newcomer.email, role: "member" }, IP),
        removeGroupMember(staff, group.id, manager.id, IP),
      ]);
      expect(removed.status).toBe("fulfilled");
      const actions = (await auditFor(group.id)).map((entry) => entry.action);
      if (added.status === "fulfilled") {
        expect(actions).toEqual(["group.member_added", "group.member_removed"]);
        expect((await membersOf(group.id)).map((row) => row.userId)).toContain(newcomer.id);
      } else {
        expect(added.reason).toBeInstanceOf(NotFoundError);
        expect(actions).toEqual(["group.member_removed"]);
        expect((await membersOf(group.id)).map((row) => row.userId)).not.toContain(newcomer.id);
      }
    }
  });
});

describe("reading groups", () => {
  it("shows a group to staff and its managers, refuses its plain members, hides it from others", async () => {
    const { group, manager, member, outsider } = await communityFixture();
    const asManager = await getGroup(actorFor(manager), group.id);
    expect(asManager.group.id).toBe(group.id);
    expect(asManager.members.map((row) => [row.name, row.role])).toEqual([
      ["Manager", "manager"],
      ["Member", "member"],
    ]);
    expect((await getGroup(await organizer(), group.id)).members).toHaveLength(2);
    await expect(getGroup(actorFor(member), group.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getGroup(actorFor(outsider), group.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("lists every group for staff, the managed ones for a manager, and refuses everyone else", async () => {
    const { group, manager, member } = await communityFixture();
    const other = await groupFactory({ members: [manager] });
    const staffView = await listManageableGroups(await organizer());
    expect(staffView.mayCreate).toBe(true);
    expect(staffView.groups.map((row) => row.id)).toEqual(expect.arrayContaining([group.id, other.id]));
    expect(staffView.groups.length).toBe((await getDb().select({ id: groups.id }).from(groups)).length);
    const managerView = await listManageableGroups(actorFor(manager));
    expect(managerView).toEqual({ mayCreate: false, groups: [expect.objectContaining({ id: group.id, members: 2 })] });
    await expect(listManageableGroups(actorFor(member))).rejects.toBeInstanceOf(ForbiddenError);
  });

  it("lists a viewer's own groups with their role in each", async () => {
    const person = await createUser();
    const managed = await groupFactory({ name: "B managed", managers: [person] });
    const joined = await groupFactory({ name: "A joined", members: [person] });
    await groupFactory({ name: "C elsewhere" });
    expect(await listViewerGroups(person)).toEqual([
      { id: joined.id, kind: "community", name: "A joined", slug: joined.slug, role: "member" },
      { id: managed.id, kind: "community", name: "B managed", slug: managed.slug, role: "manager" },
    ]);
  });
});

describe("groups on the session", () => {
  it("reach the viewer with the next request after a change, and go with a deleted account", async () => {
    const { group, manager, newcomer } = await communityFixture();
    const { token } = await createUserSession(newcomer.id);
    const groupsOnSession = async () => {
      const check = await validateSessionToken(token);
      return check.valid ? check.viewer.access.groups : null;
    };
    expect(await groupsOnSession()).toEqual([]);
    await addGroupMember(actorFor(manager), group.id, { email: newcomer.email, role: "member" }, IP);
    expect(await groupsOnSession()).toEqual([group.id]);
    await removeGroupMember(actorFor(manager), group.id, newcomer.id, IP);
    expect(await groupsOnSession()).toEqual([]);

    await getDb().delete(users).where(eq(users.id, manager.id));
    expect(await getDb().select().from(groupMembers).where(inArray(groupMembers.userId, [manager.id]))).toEqual([]);
  });
});
