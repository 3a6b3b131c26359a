import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { sessions } from "#db/schema/accounts.ts";
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
});
