import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { sessions, users } from "#db/schema/accounts.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { hashToken } from "./tokens.ts";
import { invalidateUserSessions, validateSessionToken } from "./sessions.ts";

async function ageSession(sessionId: string, column: "created_at" | "last_seen_at", seconds: number) {
  await getDb().execute(sql`update sessions set ${sql.identifier(column)} = now() - make_interval(secs => ${seconds}) where id = ${sessionId}`);
}

describe("sessions", () => {
  it("stores only the SHA-256 of the token", async () => {
    const user = await createUser();
    const { token, sessionId } = await createUserSession(user.id);
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    expect(sessionId).toBe(hashToken(token));
    const stored = await getDb().select().from(sessions).where(eq(sessions.userId, user.id));
    expect(stored.map((row) => row.id)).toEqual([sessionId]);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it("resolves a valid token to its viewer with derived roles", async () => {
    const user = await createUser({ traits: ["verified", "member"], roles: ["speaker"] });
    const { token } = await createUserSession(user.id);
    const check = await validateSessionToken(token);
    expect(check.valid).toBe(true);
    if (!check.valid) return;
    expect(check.viewer.id).toBe(user.id);
    expect(check.viewer.roles.sort()).toEqual(["attendee", "member", "speaker"]);
    expect(check.viewer.permissions.has("read:forum")).toBe(true);
    expect(check.viewer.session.privileged).toBe(true);
  });

  it("gives an unverified account no role", async () => {
    const user = await createUser({ traits: [], roles: ["admin"] });
    const { token } = await createUserSession(user.id);
    const check = await validateSessionToken(token);
    expect(check.valid && check.viewer.roles).toEqual([]);
  });

  it("refuses an unknown token", async () => {
    expect((await validateSessionToken("a".repeat(32))).valid).toBe(false);
  });

  it("ends an idle member session after 30 minutes but keeps an attendee's", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    const attendee = await createUser({ traits: ["verified"] });
    const memberSession = await createUserSession(member.id);
    const attendeeSession = await createUserSession(attendee.id);
    await ageSession(memberSession.sessionId, "last_seen_at", 31 * 60);
    await ageSession(attendeeSession.sessionId, "last_seen_at", 31 * 60);
    expect((await validateSessionToken(memberSession.token)).valid).toBe(false);
    expect((await validateSessionToken(attendeeSession.token)).valid).toBe(true);
    // The expired session is gone, not just refused.
    expect(await getDb().select().from(sessions).where(eq(sessions.id, memberSession.sessionId))).toHaveLength(0);
  });

  it("ends a member session 12 hours after sign-in however active it is", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    const session = await createUserSession(member.id);
    await ageSession(session.sessionId, "created_at", 12 * 3600 + 60);
    expect((await validateSessionToken(session.token)).valid).toBe(false);
  });

  it("ends an attendee session after 30 idle days", async () => {
    const attendee = await createUser();
    const session = await createUserSession(attendee.id);
    await ageSession(session.sessionId, "last_seen_at", 30 * 86400 + 60);
    expect((await validateSessionToken(session.token)).valid).toBe(false);
  });

  it("records activity at most once a minute", async () => {
    const user = await createUser();
    const session = await createUserSession(user.id);
    await ageSession(session.sessionId, "last_seen_at", 3600);
    await validateSessionToken(session.token);
    const [touched] = await getDb().select().from(sessions).where(eq(sessions.id, session.sessionId));
    expect(Date.now() - touched!.lastSeenAt.getTime()).toBeLessThan(60_000);
  });

  it("refuses the sessions of a suspended user", async () => {
    const user = await createUser({ traits: ["verified", "member"] });
    const session = await createUserSession(user.id);
    await getDb().update(users).set({ status: "suspended" }).where(eq(users.id, user.id));
    expect((await validateSessionToken(session.token)).valid).toBe(false);
  });

  it("signs out everywhere else but here", async () => {
    const user = await createUser();
    const here = await createUserSession(user.id);
    const there = await createUserSession(user.id);
    await getDb().transaction((tx) => invalidateUserSessions(user.id, { except: here.sessionId }, tx));
    expect((await validateSessionToken(here.token)).valid).toBe(true);
    expect((await validateSessionToken(there.token)).valid).toBe(false);
  });
});
