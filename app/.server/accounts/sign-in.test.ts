import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { auditLog } from "#db/schema/audit.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { authThrottle } from "#db/schema/throttle.ts";
import { createUser, FACTORY_PASSWORD } from "#tests/factories/accounts.ts";
import { resetPassword, requestPasswordReset } from "./password-reset.ts";
import { signIn } from "./sign-in.ts";
import { consumeEmailToken, issueEmailToken } from "./email-tokens.ts";
import { THROTTLE } from "./throttle.ts";

const meta = { ip: "203.0.113.7", userAgent: "vitest" };

describe("signIn", () => {
  it("signs in with the right password and sets an HttpOnly SameSite cookie", async () => {
    const user = await createUser();
    const result = await signIn({ email: user.email, password: FACTORY_PASSWORD }, meta);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.cookie).toMatch(/HttpOnly/);
    expect(result.cookie).toMatch(/SameSite=Lax/);
    expect(result.needsMfa).toBe(false);
  });

  it("answers an unknown address exactly as a wrong password", async () => {
    const user = await createUser();
    const wrong = await signIn({ email: user.email, password: "not the password at all" }, meta);
    const unknown = await signIn({ email: "nobody@agency.example", password: "not the password at all" }, meta);
    expect(wrong).toEqual({ ok: false, reason: "invalid" });
    expect(unknown).toEqual(wrong);
  });

  it("throttles 30 wrong passwords in a row, then refuses even the right one", async () => {
    const user = await createUser();
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 30; attempt++) {
      const result = await signIn({ email: user.email, password: `wrong password ${attempt}` }, { ...meta, ip: `198.51.100.${attempt}` });
      outcomes.push(result.ok ? "ok" : result.reason);
    }
    expect(outcomes.slice(0, THROTTLE.account.freeFailures)).toEqual(Array(THROTTLE.account.freeFailures).fill("invalid"));
    expect(outcomes.slice(THROTTLE.account.freeFailures)).toEqual(Array(30 - THROTTLE.account.freeFailures).fill("throttled"));
    const right = await signIn({ email: user.email, password: FACTORY_PASSWORD }, meta);
    expect(right.ok).toBe(false);
    expect(!right.ok && right.reason === "throttled" && right.message).toMatch(/Try again in \d+ seconds/);
    // Refused attempts are not counted: the account stays far from the 30-day cap.
    const [row] = await getDb().select().from(authThrottle).where(eq(authThrottle.key, `account:${user.email}`));
    expect(row?.failures).toBe(THROTTLE.account.freeFailures);
  });

  it("throttles one address trying many accounts", async () => {
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < THROTTLE.address.freeFailures + 2; attempt++) {
      const result = await signIn({ email: `guess${attempt}@agency.example`, password: "guessing password" }, { ...meta, ip: "192.0.2.99" });
      outcomes.push(result.ok ? "ok" : result.reason);
    }
    expect(outcomes.at(-1)).toBe("throttled");
  });

  it("lets the waiting period pass, and caps failures at 100 in 30 days until a password reset", async () => {
    const user = await createUser();
    const key = `account:${user.email}`;
    await getDb().insert(authThrottle).values({ key, failures: THROTTLE.account.cap - 1, firstFailureAt: sql`now() - interval '2 days'` });
    const hundredth = await signIn({ email: user.email, password: "wrong again password" }, meta);
    expect(hundredth).toEqual({ ok: false, reason: "invalid" });
    const [capped] = await getDb().select().from(authThrottle).where(eq(authThrottle.key, key));
    expect(capped!.lockedUntil!.getTime() - Date.now()).toBeGreaterThan(27 * 86400_000);

    const token = await issueEmailToken({ userId: user.id, purpose: "reset-password", email: user.email });
    expect(await resetPassword(token, "a brand new passphrase", meta.ip)).toBe(true);
    const after = await signIn({ email: user.email, password: "a brand new passphrase" }, meta);
    expect(after.ok).toBe(true);
  });

  it("refuses a suspended account and writes the audit log", async () => {
    const user = await createUser({ traits: ["verified", "suspended"] });
    expect(await signIn({ email: user.email, password: FACTORY_PASSWORD }, meta)).toEqual({ ok: false, reason: "suspended" });
    const entries = await getDb().select().from(auditLog).where(eq(auditLog.actorId, user.id));
    expect(entries.map((entry) => entry.action)).toContain("auth.sign_in_failed");
  });

  it("asks for the second factor when TOTP is enrolled", async () => {
    const user = await createUser();
    await getDb().execute(sql`insert into totp_credentials (user_id, sealed_key) values (${user.id}, 'x')`);
    const result = await signIn({ email: user.email, password: FACTORY_PASSWORD }, meta);
    expect(result.ok && result.needsMfa).toBe(true);
  });
});

describe("password reset", () => {
  it("mails a link only to registered addresses and never reveals which", async () => {
    const user = await createUser();
    const origin = { ip: meta.ip, link: (path: string) => `http://liaison.test${path}` };
    await requestPasswordReset(user.email, origin);
    await requestPasswordReset("nobody@agency.example", origin);
    const rows = await getDb()
      .select()
      .from(mailOutbox)
      .where(inArray(mailOutbox.toAddress, [user.email, "nobody@agency.example"]));
    expect(rows.map((row) => row.toAddress)).toEqual([user.email]);
    expect(rows[0]!.textBody).toMatch(/http:\/\/liaison\.test\/reset-password\?token=[a-z2-7]{32}/);
  });

  it("uses a link once", async () => {
    const user = await createUser();
    const token = await issueEmailToken({ userId: user.id, purpose: "reset-password", email: user.email });
    expect(await resetPassword(token, "first new passphrase", null)).toBe(true);
    expect(await resetPassword(token, "second new passphrase", null)).toBe(false);
  });

  it("cancels every other link of the account, such as a pending change of address", async () => {
    const user = await createUser();
    const changeLink = await issueEmailToken({ userId: user.id, purpose: "change-email", email: "thief@evil.example" });
    const reset = await issueEmailToken({ userId: user.id, purpose: "reset-password", email: user.email });
    expect(await resetPassword(reset, "the owner's new passphrase", null)).toBe(true);
    expect(await consumeEmailToken(changeLink, "change-email")).toBeNull();
  });

  it("drops a second factor enrolled before the address was verified", async () => {
    const user = await createUser({ traits: [] });
    await getDb().execute(sql`insert into totp_credentials (user_id, sealed_key) values (${user.id}, 'squatter')`);
    const reset = await issueEmailToken({ userId: user.id, purpose: "reset-password", email: user.email });
    expect(await resetPassword(reset, "the owner's new passphrase", null)).toBe(true);
    const result = await signIn({ email: user.email, password: "the owner's new passphrase" }, meta);
    expect(result.ok && result.needsMfa).toBe(false);
  });
});
