import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { sessions } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { rateLimits } from "#db/schema/throttle.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { sweepExpired } from "./housekeeping.ts";

describe("housekeeping", () => {
  it("deletes sessions past every limit and old counters, and keeps live ones", async () => {
    const user = await createUser();
    const live = await createUserSession(user.id);
    const stale = await createUserSession(user.id);
    await getDb().update(sessions).set({ lastSeenAt: sql`now() - interval '31 days'` }).where(eq(sessions.id, stale.sessionId));
    await getDb().insert(rateLimits).values([
      { key: "old", windowStart: sql`now() - interval '3 days'`, count: 1 },
      { key: "new", windowStart: sql`now()`, count: 1 },
    ]);
    await sweepExpired();
    const left = await getDb().select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, user.id));
    expect(left.map((row) => row.id)).toEqual([live.sessionId]);
    expect((await getDb().select().from(rateLimits)).map((row) => row.key)).toEqual(["new"]);
  });

  it("writes each finished window of throttled sign-ins as one audit row with its count, and keeps the current one counting", async () => {
    await getDb().insert(rateLimits).values([
      { key: "refused|auth.sign_in_throttled|192.0.2.77", windowStart: sql`now() - interval '40 minutes'`, count: 312 },
      { key: "refused|auth.sign_in_throttled|192.0.2.78", windowStart: sql`now()`, count: 7 },
    ]);
    await sweepExpired();
    const rows = await getDb().select().from(auditLog).where(eq(auditLog.action, "auth.sign_in_throttled"));
    expect(rows.map((row) => ({ ip: row.ip, count: row.details.count }))).toEqual([{ ip: "192.0.2.77", count: 312 }]);
    const left = await getDb().select({ key: rateLimits.key }).from(rateLimits).where(sql`starts_with(${rateLimits.key}, 'refused|')`);
    expect(left.map((row) => row.key)).toEqual(["refused|auth.sign_in_throttled|192.0.2.78"]);
    await getDb().delete(rateLimits).where(eq(rateLimits.key, "refused|auth.sign_in_throttled|192.0.2.78"));
  });
});
