import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { users, type User } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { deriveRoles, permissionsOf } from "../accounts/permissions.ts";
import { validateSessionToken } from "../accounts/sessions.ts";
import type { Actor } from "../accounts/permissions.ts";
import { endAllSessionsOf, grantRole, revokeRole, searchUsers } from "./users.ts";

function actorFor(user: User): Actor {
  return { id: user.id, permissions: permissionsOf(deriveRoles(user, new Date())) };
}

async function rolesOf(userId: string) {
  const [row] = await getDb().select({ roles: users.roles }).from(users).where(eq(users.id, userId));
  return row?.roles;
}

async function auditFor(subjectId: string, action: string) {
  return getDb().select().from(auditLog).where(and(eq(auditLog.subjectId, subjectId), eq(auditLog.action, action)));
}

describe("users and roles", () => {
  it("is for admins only", async () => {
    const organizer = await createUser({ roles: ["organizer"] });
    const target = await createUser();
    await expect(searchUsers(actorFor(organizer), "")).rejects.toMatchObject({ status: 403 });
    await expect(grantRole(actorFor(organizer), { userId: target.id, role: "organizer", ip: null })).rejects.toMatchObject({ status: 403 });
    await expect(endAllSessionsOf(actorFor(organizer), { userId: target.id, ip: null })).rejects.toMatchObject({ status: 403 });
    expect(await rolesOf(target.id)).toEqual([]);
  });

  it("finds accounts by address or name, treating % and _ literally", async () => {
    const admin = await createUser({ roles: ["admin"] });
    const wanted = await createUser({ email: "findme.x@agency.example", name: "Quentin Query" });
    const other = await createUser({ email: "other@agency.example", name: "Somebody Else" });
    const actor = actorFor(admin);
    expect((await searchUsers(actor, "FINDME")).rows.map((row) => row.id)).toEqual([wanted.id]);
    expect((await searchUsers(actor, "quentin")).rows.map((row) => row.id)).toEqual([wanted.id]);
    expect((await searchUsers(actor, "%")).rows).toHaveLength(0);
    // No term lists every account, newest first: the three this test made lead the list.
    const newest = (await searchUsers(actor, "")).rows.slice(0, 3).map((row) => row.id);
    expect(newest.sort()).toEqual([admin.id, wanted.id, other.id].sort());
  });

  it("grants and revokes roles once each, with audit entries and notices", async () => {
    const admin = await createUser({ roles: ["admin"] });
    const target = await createUser();
    const actor = actorFor(admin);

    expect(await grantRole(actor, { userId: target.id, role: "organizer", ip: "192.0.2.1" })).toEqual({ ok: true, changed: true });
    expect(await grantRole(actor, { userId: target.id, role: "organizer", ip: "192.0.2.1" })).toEqual({ ok: true, changed: false });
    expect(await rolesOf(target.id)).toEqual(["organizer"]);
    const granted = await auditFor(target.id, "role.granted");
    expect(granted).toHaveLength(1);
    expect(granted[0]).toMatchObject({ actorId: admin.id, subjectType: "user", ip: "192.0.2.1", details: { role: "organizer" } });

    expect(await revokeRole(actor, { userId: target.id, role: "organizer", ip: null })).toEqual({ ok: true, changed: true });
    expect(await revokeRole(actor, { userId: target.id, role: "organizer", ip: null })).toEqual({ ok: true, changed: false });
    expect(await rolesOf(target.id)).toEqual([]);
    expect(await auditFor(target.id, "role.revoked")).toHaveLength(1);

    const mails = await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, target.email)).orderBy(mailOutbox.id);
    expect(mails.map((mail) => mail.subject)).toEqual(["You were given the organizer role on Liaison", "Your organizer role on Liaison was removed"]);
  });

  it("refuses an admin revoking their own admin role, but lets another admin do it", async () => {
    const admin = await createUser({ roles: ["admin"] });
    const refused = await revokeRole(actorFor(admin), { userId: admin.id, role: "admin", ip: null });
    expect(refused).toMatchObject({ ok: false, status: 400 });
    expect(await rolesOf(admin.id)).toEqual(["admin"]);
    expect(await auditFor(admin.id, "role.revoked")).toHaveLength(0);

    const other = await createUser({ roles: ["admin"] });
    expect(await revokeRole(actorFor(other), { userId: admin.id, role: "admin", ip: null })).toEqual({ ok: true, changed: true });
    expect(await rolesOf(admin.id)).toEqual([]);
  });

  it("keeps one admin when two admins revoke each other at the same moment (issue 7, finding 6)", async () => {
    // Only these two are admins, so that the last-admin rule is what decides.
    await getDb().update(users).set({ roles: sql`array_remove(${users.roles}, 'admin')` });
    const first = await createUser({ roles: ["admin"] });
    const second = await createUser({ roles: ["admin"] });
    const results = await Promise.all([
      revokeRole(actorFor(first), { userId: second.id, role: "admin", ip: null }),
      revokeRole(actorFor(second), { userId: first.id, role: "admin", ip: null }).catch((error: unknown) => ({ thrown: (error as Response).status })),
    ]);
    const admins = await getDb().select({ id: users.id }).from(users).where(sql`'admin' = any(${users.roles})`);
    expect(admins).toHaveLength(1);
    expect(results.filter((result) => "ok" in result && result.ok)).toHaveLength(1);
    expect((await auditFor(first.id, "role.revoked")).length + (await auditFor(second.id, "role.revoked")).length).toBe(1);
  });

  it("refuses to revoke the admin role of the last active admin", async () => {
    await getDb().update(users).set({ roles: sql`array_remove(${users.roles}, 'admin')` });
    const last = await createUser({ roles: ["admin"] });
    const suspended = await createUser({ roles: ["admin"], traits: ["verified", "suspended"] });
    expect(await revokeRole(actorFor(suspended), { userId: last.id, role: "admin", ip: null })).toMatchObject({ ok: false, status: 400 });
    expect(await rolesOf(last.id)).toEqual(["admin"]);
  });

  it("refuses a NUL in the search term with the field's message (finding 7)", async () => {
    const admin = await createUser({ roles: ["admin"] });
    await expect(searchUsers(actorFor(admin), "bad\u0000term")).rejects.toMatchObject({ status: 400, fieldErrors: { q: [expect.stringMatching(/control characters/)] } });
  });

  it("answers 404 for an account that does not exist", async () => {
    const admin = await createUser({ roles: ["admin"] });
    const missing = "00000000-0000-4000-8000-000000000000";
    expect(await grantRole(actorFor(admin), { userId: missing, role: "speaker", ip: null })).toMatchObject({ ok: false, status: 404 });
    expect(await endAllSessionsOf(actorFor(admin), { userId: missing, ip: null })).toMatchObject({ ok: false, status: 404 });
  });

  it("ends every session of an account", async () => {
    const admin = await createUser({ roles: ["admin"] });
    const target = await createUser();
    const one = await createUserSession(target.id);
    const two = await createUserSession(target.id);
    expect(await endAllSessionsOf(actorFor(admin), { userId: target.id, ip: null })).toEqual({ ok: true, ended: 2 });
    expect((await validateSessionToken(one.token)).valid).toBe(false);
    expect((await validateSessionToken(two.token)).valid).toBe(false);
    expect(await endAllSessionsOf(actorFor(admin), { userId: target.id, ip: null })).toEqual({ ok: true, ended: 0 });
    const entries = await auditFor(target.id, "auth.sessions_ended");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorId: admin.id, details: { scope: "all", ended: 2 } });
  });
});
