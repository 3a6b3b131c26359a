import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import type { User } from "#db/schema/accounts.ts";
import { createUser } from "#tests/factories/accounts.ts";
import { deriveRoles, permissionsOf } from "../accounts/permissions.ts";
import { recordAudit } from "../audit/log.ts";
import { listAuditEntries, parseAuditFilter } from "./audit.ts";
import type { Actor } from "../accounts/permissions.ts";

function actorFor(user: User): Actor {
  return { id: user.id, permissions: permissionsOf(deriveRoles(user, new Date())) };
}

function filterOf(params: Record<string, string>) {
  const parsed = parseAuditFilter(new URLSearchParams(params));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.filter;
}

/** Entries at fixed times: the trigger forbids UPDATE, so the time is set on insert. */
async function entryAt(at: string, action: string, actorId: string | null, details: Record<string, unknown> = {}) {
  await getDb().execute(sql`insert into audit_log (at, action, actor_id, subject_type, subject_id, details)
    values (${at}::timestamptz, ${action}, ${actorId}, 'user', ${actorId}, ${JSON.stringify(details)}::jsonb)`);
}

describe("audit log", () => {
  it("is for holders of read:audit only", async () => {
    const organizer = await createUser({ roles: ["organizer"] });
    await expect(listAuditEntries(actorFor(organizer), filterOf({}))).rejects.toMatchObject({ status: 403 });
  });

  it("validates the filter", () => {
    const parsed = parseAuditFilter(new URLSearchParams({ action: "nope", from: "2025-13-01", to: "2025-01-01" }));
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && Object.keys(parsed.errors).sort()).toEqual(["action", "from"]);
    const reversed = parseAuditFilter(new URLSearchParams({ from: "2025-02-01", to: "2025-01-01" }));
    expect(!reversed.ok && reversed.errors.to).toEqual(["The end date is before the start date."]);
    expect(parseAuditFilter(new URLSearchParams({ action: "", actor: "", from: "", to: "" }))).toEqual({ ok: true, filter: {} });
  });

  it("filters by action, actor address and UTC days, newest first, with the actor's address", async () => {
    const admin = await createUser({ roles: ["admin"] });
    const alice = await createUser({ email: "alice@filter.example" });
    const bob = await createUser({ email: "bob@filter.example" });
    await entryAt("2024-05-01T10:00:00Z", "auth.sign_in", alice.id);
    await entryAt("2024-05-02T23:59:59Z", "auth.sign_in", bob.id);
    await entryAt("2024-05-03T00:00:00Z", "auth.sign_in", alice.id, { note: "<script>" });
    await entryAt("2024-05-03T12:00:00Z", "account.profile_updated", alice.id);
    const actor = actorFor(admin);

    const byAction = await listAuditEntries(actor, filterOf({ action: "auth.sign_in", actor: "@filter.example" }));
    expect(byAction.rows.map((row) => row.at.toISOString())).toEqual(["2024-05-03T00:00:00.000Z", "2024-05-02T23:59:59.000Z", "2024-05-01T10:00:00.000Z"]);
    expect(byAction.rows[0]).toMatchObject({ actorEmail: "alice@filter.example", subjectEmail: "alice@filter.example", details: { note: "<script>" } });

    const byActor = await listAuditEntries(actor, filterOf({ actor: "ALICE@filter" }));
    expect(byActor.rows.map((row) => row.action)).toEqual(["account.profile_updated", "auth.sign_in", "auth.sign_in"]);

    const byDays = await listAuditEntries(actor, filterOf({ from: "2024-05-02", to: "2024-05-02" }));
    expect(byDays.rows.map((row) => row.actorId)).toEqual([bob.id]);
    const fromDay = await listAuditEntries(actor, filterOf({ from: "2024-05-03", actor: "filter.example" }));
    expect(fromDay.rows).toHaveLength(2);

    const none = await listAuditEntries(actor, filterOf({ actor: "nobody@filter.example" }));
    expect(none).toEqual({ rows: [], newer: null, older: null });
  });

  it("pages through 50 entries at a time in both directions", async () => {
    const admin = await createUser({ roles: ["admin"] });
    const pager = await createUser({ email: "pager@filter.example" });
    for (let i = 0; i < 120; i += 1) await getDb().transaction((tx) => recordAudit({ action: "mfa.failed", actorId: pager.id, details: { i } }, tx));
    const actor = actorFor(admin);
    const base = { action: "mfa.failed", actor: "pager@" };

    const first = await listAuditEntries(actor, filterOf(base));
    expect(first.rows).toHaveLength(50);
    expect(first.rows[0]?.details).toEqual({ i: 119 });
    expect(first.newer).toBeNull();
    expect(first.older).not.toBeNull();

    const second = await listAuditEntries(actor, filterOf({ ...base, before: String(first.older) }));
    expect(second.rows.map((row) => row.details.i)).toEqual(Array.from({ length: 50 }, (_, k) => 69 - k));
    const third = await listAuditEntries(actor, filterOf({ ...base, before: String(second.older) }));
    expect(third.rows).toHaveLength(20);
    expect(third.older).toBeNull();

    const back = await listAuditEntries(actor, filterOf({ ...base, after: String(third.newer) }));
    expect(back.rows.map((row) => row.details.i)).toEqual(second.rows.map((row) => row.details.i));
    expect(back.newer).not.toBeNull();
  });
});
