/**
 * The group pages as plain HTML forms (no JavaScript): an organizer creates a group and names a manager, who then
 * manages its members from the same pages.
 */
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { getDb } from "#db/client.ts";
import { groupMembers, groups } from "#db/schema/access.ts";
import { auditLog } from "#db/schema/audit.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { startTestApp, type TestApp, type TestClient } from "#tests/support/app.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

async function signedIn(user: { id: string }, mfaVerified: boolean): Promise<TestClient> {
  const client = app.client();
  client.cookies.set("liaison_session", (await createUserSession(user.id, { mfaVerified })).token);
  return client;
}

test("an organizer creates a group and names a manager, who adds and removes its members", async () => {
  const organizer = await createUser({ roles: ["organizer"], name: "Olga Organizer" });
  const manager = await createUser({ name: "Mina Manager" });
  const colleague = await createUser({ name: "Colin Colleague" });
  const staff = await signedIn(organizer, true);

  expect((await staff.get("/admin")).text).toContain('href="/admin/groups"');
  const list = await staff.get("/admin/groups");
  expect(list.status).toBe(200);
  expect(list.text).toContain("Create a group");

  const refused = await staff.post("/admin/groups", { intent: "create", kind: "agency", name: "  " });
  expect(refused.status).toBe(400);
  expect(refused.text).toContain("Enter the group&#x27;s name.");

  const created = await staff.post("/admin/groups", { intent: "create", kind: "agency", name: "Postal Inspection Service", slug: "" });
  expect(created.status).toBe(302);
  const [group] = await getDb().select().from(groups).where(eq(groups.name, "Postal Inspection Service"));
  expect(group).toMatchObject({ kind: "agency", slug: "postal-inspection-service", createdBy: organizer.id });
  expect(created.location).toBe(`/admin/groups/${group!.id}`);
  const fresh = await staff.follow();
  expect(fresh.status).toBe(200);
  expect(fresh.text).toContain("The group is created. Add its members below.");

  const groupUrl = `/admin/groups/${group!.id}`;
  const unknown = await staff.post(groupUrl, { intent: "add", email: "nobody@agency.example", role: "member" });
  expect(unknown.status).toBe(400);
  expect(unknown.text).toContain("No account uses this address.");
  const named = await staff.post(groupUrl, { intent: "add", email: manager.email.toUpperCase(), role: "manager" });
  expect(named.status).toBe(200);
  expect(named.text).toContain("Mina Manager is now a manager of the group.");

  // The manager is an attendee: no second factor, no admin area, but their group's pages.
  const own = await signedIn(manager, false);
  expect((await own.get("/admin")).status).toBe(403);
  const managed = await own.get("/admin/groups");
  expect(managed.status).toBe(200);
  expect(managed.text).toContain("Groups you manage (1)");
  expect(managed.text).not.toContain("Create a group");
  expect((await own.post("/admin/groups", { intent: "create", kind: "list", name: "Mine" })).status).toBe(403);

  const added = await own.post(groupUrl, { intent: "add", email: colleague.email, role: "member" });
  expect(added.status).toBe(200);
  expect(added.text).toContain("Colin Colleague is now a member of the group.");
  const twice = await own.post(groupUrl, { intent: "add", email: colleague.email, role: "member" });
  expect(twice.text).toContain("Colin Colleague was already a member of the group.");
  const page = await own.get(groupUrl);
  expect(page.text).toContain("Members (2)");
  expect(page.text).toContain(`<summary class="danger">Remove Colin Colleague</summary>`);

  // The colleague now belongs to the group (their session says so), but does not manage it.
  const member = await signedIn(colleague, false);
  expect((await member.get(groupUrl)).status).toBe(403);
  expect((await member.post(groupUrl, { intent: "remove", userId: manager.id })).status).toBe(403);

  const removed = await own.post(groupUrl, { intent: "remove", userId: colleague.id });
  expect(removed.status).toBe(200);
  expect(removed.text).toContain("Colin Colleague is no longer in the group.");
  expect((await member.get(groupUrl)).status).toBe(404);

  const members = await getDb()
    .select({ userId: groupMembers.userId, role: groupMembers.role })
    .from(groupMembers)
    .where(eq(groupMembers.groupId, group!.id));
  expect(members).toEqual([{ userId: manager.id, role: "manager" }]);
  const audit = await getDb()
    .select({ action: auditLog.action, actorId: auditLog.actorId, ip: auditLog.ip })
    .from(auditLog)
    .where(and(eq(auditLog.subjectType, "group"), eq(auditLog.subjectId, group!.id)))
    .orderBy(asc(auditLog.id));
  expect(audit.map((entry) => [entry.action, entry.actorId])).toEqual([
    ["group.created", organizer.id],
    ["group.member_added", organizer.id],
    ["group.member_added", manager.id],
    ["group.member_removed", manager.id],
  ]);
  expect(audit.every((entry) => entry.ip === "127.0.0.1")).toBe(true);
});

test("a double-clicked create makes one group", async () => {
  const staff = await signedIn(await createUser({ roles: ["admin"] }), true);
  const responses = await Promise.all(
    Array.from({ length: 4 }, () => staff.request("/admin/groups", { method: "POST", body: new URLSearchParams({ intent: "create", kind: "list", name: "Speakers 2027" }) })),
  );
  expect(responses.map((res) => res.status).sort()).toEqual([302, 400, 400, 400]);
  expect(await getDb().select().from(groups).where(eq(groups.name, "Speakers 2027"))).toHaveLength(1);
});
