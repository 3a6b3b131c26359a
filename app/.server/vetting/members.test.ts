import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { sessions, users } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { validateSessionToken } from "../accounts/sessions.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { listAccountsForOrganizers, listMemberDirectory, reinstateMember, standingOf, suspendMember } from "./members.ts";
import { actorFor, mailsTo, FACTORY_ORIGIN as origin } from "#tests/factories/vetting.ts";

async function organizer() {
  return actorFor(await createUser({ roles: ["organizer"] }));
}

describe("suspension", () => {
  it("suspends with a reason, ends every session in the same step, audits and mails", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    const first = await createUserSession(member.id, { mfaVerified: true });
    const second = await createUserSession(member.id);
    const actor = await organizer();
    expect(await suspendMember(actor, { userId: member.id, reason: "Shared board content outside." }, origin)).toBe("suspended");
    expect(await getDb().select().from(sessions).where(eq(sessions.userId, member.id))).toHaveLength(0);
    expect((await validateSessionToken(first.token)).valid).toBe(false);
    expect((await validateSessionToken(second.token)).valid).toBe(false);
    const [stored] = await getDb().select().from(users).where(eq(users.id, member.id));
    expect(stored).toMatchObject({ status: "suspended", suspendedReason: "Shared board content outside." });
    expect(await suspendMember(actor, { userId: member.id, reason: "Again" }, origin)).toBe("already_suspended");
    const audit = await getDb().select().from(auditLog).where(and(eq(auditLog.action, "member.suspended"), eq(auditLog.subjectId, member.id)));
    expect(audit).toHaveLength(1);
    expect((await mailsTo(member.email)).map((mail) => mail.subject)).toEqual(["Your Liaison account is suspended"]);
  });

  it("reinstates, once", async () => {
    const member = await createUser({ traits: ["verified", "member", "suspended"] });
    const actor = await organizer();
    expect(await reinstateMember(actor, member.id, origin)).toBe("reinstated");
    expect(await reinstateMember(actor, member.id, origin)).toBe("not_suspended");
    expect(await reinstateMember(actor, crypto.randomUUID(), origin)).toBe("not_found");
    const [stored] = await getDb().select().from(users).where(eq(users.id, member.id));
    expect(stored).toMatchObject({ status: "active", suspendedReason: null });
    const session = await createUserSession(member.id);
    expect((await validateSessionToken(session.token)).valid).toBe(true);
    expect(await getDb().select().from(auditLog).where(and(eq(auditLog.action, "member.reinstated"), eq(auditLog.subjectId, member.id)))).toHaveLength(1);
    expect(await mailsTo(member.email)).toHaveLength(1);
  });

  it("leaves suspending an organizer or a moderator to admins", async () => {
    const organizer = await createUser({ roles: ["organizer"] });
    const moderator = await createUser({ traits: ["verified", "member"], roles: ["moderator"] });
    const admin = await createUser({ roles: ["admin"] });
    expect(await suspendMember(actorFor(organizer), { userId: moderator.id, reason: "Disagreement" }, origin)).toBe("staff");
    expect(await suspendMember(actorFor(admin), { userId: moderator.id, reason: "Breach of the code of conduct" }, origin)).toBe("suspended");
  });

  it("leaves reinstating an organizer or a moderator to admins too (issue 7, finding 5)", async () => {
    const organizer = await createUser({ roles: ["organizer"] });
    const moderator = await createUser({ traits: ["verified", "member", "suspended"], roles: ["moderator"] });
    const admin = await createUser({ roles: ["admin"] });
    await expect(reinstateMember(actorFor(organizer), moderator.id, origin)).rejects.toMatchObject({ status: 403 });
    const [still] = await getDb().select().from(users).where(eq(users.id, moderator.id));
    expect(still?.status).toBe("suspended");
    expect(await reinstateMember(actorFor(admin), moderator.id, origin)).toBe("reinstated");
  });

  it("refuses to suspend oneself or an admin", async () => {
    const self = await createUser({ roles: ["organizer"] });
    const admin = await createUser({ roles: ["admin"] });
    const adminSession = await createUserSession(admin.id);
    expect(await suspendMember(actorFor(self), { userId: self.id, reason: "Oops" }, origin)).toBe("self");
    expect(await suspendMember(actorFor(self), { userId: admin.id, reason: "Coup" }, origin)).toBe("admin");
    expect((await validateSessionToken(adminSession.token)).valid).toBe(true);
    const [stored] = await getDb().select().from(users).where(eq(users.id, admin.id));
    expect(stored?.status).toBe("active");
  });

  it("is closed to members", async () => {
    const target = await createUser();
    const member = actorFor(await createUser({ traits: ["verified", "member"] }));
    await expect(suspendMember(member, { userId: target.id, reason: "x" }, origin)).rejects.toMatchObject({ status: 403 });
  });
});

describe("lists of people", () => {
  it("the directory shows active, unexpired members only, searchable by name or agency", async () => {
    const viewer = actorFor(await createUser({ traits: ["verified", "member"] }));
    const active = await createUser({ traits: ["verified", "member"], name: "Dir Active 100%" });
    const expired = await createUser({ traits: ["verified", "member"], name: "Dir Expired" });
    await getDb().update(users).set({ memberUntil: sql`now() - interval '1 day'` }).where(eq(users.id, expired.id));
    const suspended = await createUser({ traits: ["verified", "member", "suspended"], name: "Dir Suspended" });
    const attendee = await createUser({ name: "Dir Attendee" });
    const names = (await listMemberDirectory(viewer, "dir ")).rows.map((row) => row.name);
    expect(names).toEqual(["Dir Active 100%"]);
    expect((await listMemberDirectory(viewer, "100%")).rows.map((row) => row.id)).toEqual([active.id]);
    // A wildcard in the search is taken literally.
    expect((await listMemberDirectory(viewer, "Dir_Active")).rows).toHaveLength(0);
    // Every account here is of the test agency; of this test's five, the two active members are found by it.
    const created = [viewer.id, active.id, expired.id, suspended.id, attendee.id];
    const byAgency = (await listMemberDirectory(viewer, "test agency")).rows.map((row) => row.id).filter((id) => created.includes(id));
    expect(byAgency.sort()).toEqual([viewer.id, active.id].sort());
    const row = (await listMemberDirectory(viewer, "Dir Active")).rows[0]!;
    expect(Object.keys(row).sort()).toEqual(["agency", "country", "id", "jobTitle", "name"]);
  });

  it("the organizers' list derives each account's standing and filters by it", async () => {
    const actor = await organizer();
    const suspended = await createUser({ traits: ["verified", "member", "suspended"], name: "Org Suspended" });
    const expiring = await createUser({ traits: ["verified", "member"], name: "Org Expiring" });
    await getDb().update(users).set({ memberUntil: sql`now() + interval '3 days'` }).where(eq(users.id, expiring.id));
    const all = await listAccountsForOrganizers(actor, { term: "Org ", filter: "all" });
    expect(all.rows.map((row) => [row.name, row.standing])).toEqual([
      ["Org Expiring", "member"],
      ["Org Suspended", "suspended"],
    ]);
    expect((await listAccountsForOrganizers(actor, { term: "Org ", filter: "expiring" })).rows.map((row) => row.id)).toEqual([expiring.id]);
    expect((await listAccountsForOrganizers(actor, { term: "", filter: "suspended" })).rows.map((row) => row.id)).toContain(suspended.id);
    expect((await listAccountsForOrganizers(actor, { term: actor.id, filter: "all" })).rows).toHaveLength(0);
  });

  it("standing", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const later = new Date("2026-06-01T00:00:00Z");
    const earlier = new Date("2025-06-01T00:00:00Z");
    expect(standingOf({ status: "suspended", memberUntil: later, emailVerifiedAt: now }, now)).toBe("suspended");
    expect(standingOf({ status: "active", memberUntil: later, emailVerifiedAt: now }, now)).toBe("member");
    expect(standingOf({ status: "active", memberUntil: earlier, emailVerifiedAt: now }, now)).toBe("expired");
    expect(standingOf({ status: "active", memberUntil: null, emailVerifiedAt: now }, now)).toBe("attendee");
    expect(standingOf({ status: "active", memberUntil: null, emailVerifiedAt: null }, now)).toBe("unverified");
  });
});
