import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb, observeQueries } from "#db/client.ts";
import { userTokens } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { authThrottle } from "#db/schema/throttle.ts";
import { consumeLink, createUser, FACTORY_PASSWORD, issueLink } from "#tests/factories/accounts.ts";
import { flushRefusalCounts, REFUSAL_WINDOW_SECONDS } from "../audit/refusals.ts";
import { hashSlots } from "./passwords.ts";
import { mailPasswordReset, resetPassword, requestPasswordReset } from "./password-reset.ts";
import { signIn } from "./sign-in.ts";
import { THROTTLE, throttleKey } from "./throttle.ts";
import { peekEmailToken } from "./email-tokens.ts";

const meta = { ip: "203.0.113.7", userAgent: "vitest" };

function outcome(result: Awaited<ReturnType<typeof signIn>>): string {
  return result.ok ? "ok" : result.reason;
}

function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of outcomes) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

async function failuresOf(key: string): Promise<number> {
  const [row] = await getDb().select({ failures: authThrottle.failures }).from(authThrottle).where(eq(authThrottle.key, key));
  return row?.failures ?? 0;
}

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

  it("throttles one address guessing one account after the pair's free failures, then refuses even the right one from it", async () => {
    const user = await createUser();
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      outcomes.push(outcome(await signIn({ email: user.email, password: `wrong password ${attempt}` }, meta)));
    }
    expect(outcomes).toEqual([...Array(THROTTLE.pair.freeFailures).fill("invalid"), ...Array(12 - THROTTLE.pair.freeFailures).fill("throttled")]);
    const right = await signIn({ email: user.email, password: FACTORY_PASSWORD }, meta);
    expect(!right.ok && right.reason === "throttled" && right.message).toMatch(/Try again in \d+ seconds/);
    // Refused attempts are not counted.
    expect(await failuresOf(throttleKey.account(user.email))).toBe(THROTTLE.pair.freeFailures);
    // From the user's own address the right password still works.
    expect((await signIn({ email: user.email, password: FACTORY_PASSWORD }, { ...meta, ip: "198.51.100.200" })).ok).toBe(true);
  });

  it("throttles one account guessed from many addresses after the account's free failures", async () => {
    const user = await createUser();
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 30; attempt++) {
      outcomes.push(outcome(await signIn({ email: user.email, password: `wrong password ${attempt}` }, { ...meta, ip: `198.51.100.${attempt}` })));
    }
    expect(tally(outcomes)).toEqual({ invalid: THROTTLE.account.freeFailures, throttled: 30 - THROTTLE.account.freeFailures });
    expect(await failuresOf(throttleKey.account(user.email))).toBe(THROTTLE.account.freeFailures);
  });

  it("checks no more than the free failures of a parallel burst on one account from one address (issue 7, finding 2)", async () => {
    const user = await createUser();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, attempt) => signIn({ email: user.email, password: `parallel wrong ${attempt}` }, meta)),
    );
    expect(tally(results.map(outcome))).toEqual({ invalid: THROTTLE.pair.freeFailures, throttled: 50 - THROTTLE.pair.freeFailures });
    // The burst did not fill the account's cap: it holds only the attempts that were checked.
    expect(await failuresOf(throttleKey.account(user.email))).toBe(THROTTLE.pair.freeFailures);
    const failedRows = await getDb().select().from(auditLog).where(sql`${auditLog.action} = 'auth.sign_in_failed' and ${auditLog.actorId} = ${user.id}`);
    expect(failedRows).toHaveLength(THROTTLE.pair.freeFailures);
  });

  it("checks no more than the address's free failures of a parallel burst at 100 unknown accounts (finding 2)", async () => {
    const ip = "192.0.2.99";
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, attempt) => signIn({ email: `guess${attempt}@agency.example`, password: "guessing password" }, { ...meta, ip })),
    );
    expect(tally(results.map(outcome))).toEqual({ invalid: THROTTLE.address.freeFailures, throttled: 100 - THROTTLE.address.freeFailures });
    expect(await failuresOf(throttleKey.address(ip))).toBe(THROTTLE.address.freeFailures);
  });

  it("lets the right password of another account in from an address that is being throttled (finding 3)", async () => {
    const ip = "192.0.2.150";
    const colleague = await createUser();
    for (let attempt = 0; attempt < THROTTLE.address.freeFailures + 5; attempt++) {
      await signIn({ email: `spray${attempt}@agency.example`, password: "guessing password" }, { ...meta, ip });
    }
    expect(outcome(await signIn({ email: "one-more@agency.example", password: "guessing password" }, { ...meta, ip }))).toBe("throttled");
    expect(outcome(await signIn({ email: colleague.email, password: FACTORY_PASSWORD }, { ...meta, ip }))).toBe("ok");
    // Its success gave its reserved attempt back to the address.
    expect(await failuresOf(throttleKey.address(ip))).toBe(THROTTLE.address.freeFailures);
  });

  it("lets the waiting period pass, and caps failures at 100 in 30 days until a password reset", async () => {
    const user = await createUser();
    const key = throttleKey.account(user.email);
    await getDb().insert(authThrottle).values({ key, failures: THROTTLE.account.cap - 1, firstFailureAt: sql`now() - interval '2 days'` });
    const hundredth = await signIn({ email: user.email, password: "wrong again password" }, meta);
    expect(hundredth).toEqual({ ok: false, reason: "invalid" });
    const [capped] = await getDb().select().from(authThrottle).where(eq(authThrottle.key, key));
    expect(capped!.lockedUntil!.getTime() - Date.now()).toBeGreaterThan(27 * 86400_000);

    const token = await issueLink({ userId: user.id, purpose: "reset-password", email: user.email });
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

  it("records throttled sign-ins as one audit row per address and window, with their count (finding 8)", async () => {
    const ip = "192.0.2.201";
    const user = await createUser();
    for (let attempt = 0; attempt < THROTTLE.pair.freeFailures; attempt++) {
      await signIn({ email: user.email, password: `wrong ${attempt}` }, { ...meta, ip });
    }
    const refused = await Promise.all(Array.from({ length: 40 }, () => signIn({ email: user.email, password: "still guessing" }, { ...meta, ip })));
    expect(tally(refused.map(outcome))).toEqual({ throttled: 40 });
    const throttledRows = () => getDb().select().from(auditLog).where(sql`${auditLog.action} = 'auth.sign_in_throttled' and ${auditLog.ip} = ${ip}`);
    expect(await throttledRows()).toHaveLength(0);
    const windowEnd = new Date(Date.now() + REFUSAL_WINDOW_SECONDS * 1000);
    await getDb().transaction((tx) => flushRefusalCounts(tx, windowEnd));
    const rows = await throttledRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.details).toMatchObject({ count: 40 });
    expect(JSON.stringify(rows[0]!.details)).not.toContain("@");
    // A second sweep finds nothing left to write.
    expect(await getDb().transaction((tx) => flushRefusalCounts(tx, windowEnd))).toBe(0);
  });

  it("runs no more than a few password hashes at once, however many sign-ins arrive together (finding 4)", async () => {
    const users = await Promise.all(Array.from({ length: 12 }, () => createUser()));
    const before = hashSlots().started;
    const results = await Promise.all(users.map((user) => signIn({ email: user.email, password: FACTORY_PASSWORD }, meta)));
    expect(results.map(outcome)).toEqual(Array(12).fill("ok"));
    const slots = hashSlots();
    expect(slots.started - before).toBe(12);
    expect(slots.mostRunning).toBeLessThanOrEqual(slots.size);
    expect(slots.mostWaiting).toBeGreaterThan(0);
    expect(slots).toMatchObject({ running: 0, waiting: 0 });
  });
});

describe("password reset", () => {
  const origin = { ip: meta.ip, link: (path: string) => `http://liaison.test${path}` };

  it("mails a link only to registered addresses and never reveals which", async () => {
    const user = await createUser();
    await mailPasswordReset(user.email, "http://liaison.test/");
    await mailPasswordReset("nobody@agency.example", "http://liaison.test/");
    const rows = await getDb()
      .select()
      .from(mailOutbox)
      .where(inArray(mailOutbox.toAddress, [user.email, "nobody@agency.example"]));
    expect(rows.map((row) => row.toAddress)).toEqual([user.email]);
    expect(rows[0]!.userId).toBe(user.id);
    expect(rows[0]!.textBody).toMatch(/http:\/\/liaison\.test\/reset-password\?token=[a-z2-7]{32}/);
  });

  it("does the same work while answering for a registered and an unknown address (finding 9)", async () => {
    const user = await createUser();
    const statementsFor = async (email: string) => {
      const seen: string[] = [];
      const stop = observeQueries((query) => seen.push(query));
      await requestPasswordReset(email, origin);
      stop();
      return seen;
    };
    const registered = await statementsFor(user.email);
    const unknown = await statementsFor("nobody-here@agency.example");
    expect(registered.length).toBeGreaterThan(0);
    expect(registered).toEqual(unknown);
    const mail = await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, user.email));
    expect(mail).toHaveLength(0);
  });

  it("leaves one working link of five requested at once (finding 17)", async () => {
    const user = await createUser();
    await Promise.all(Array.from({ length: 5 }, () => mailPasswordReset(user.email, "http://liaison.test/")));
    const unused = await getDb()
      .select()
      .from(userTokens)
      .where(sql`${userTokens.userId} = ${user.id} and ${userTokens.purpose} = 'reset-password' and ${userTokens.usedAt} is null`);
    expect(unused).toHaveLength(1);
    const links = await getDb().select({ text: mailOutbox.textBody }).from(mailOutbox).where(eq(mailOutbox.userId, user.id));
    expect(links).toHaveLength(5);
    const tokens = links.map(({ text }) => /token=([a-z2-7]{32})/.exec(text)![1]!);
    const usable = await Promise.all(tokens.map((token) => peekEmailToken(token, "reset-password")));
    expect(usable.filter((row) => row !== null)).toHaveLength(1);
  });

  it("checks the link before it hashes the new password (finding 4)", async () => {
    const before = hashSlots().started;
    const results = await Promise.all(Array.from({ length: 16 }, () => resetPassword("a".repeat(32), "a fine new passphrase", null)));
    expect(results).toEqual(Array(16).fill(false));
    expect(hashSlots().started).toBe(before);
  });

  it("uses a link once", async () => {
    const user = await createUser();
    const token = await issueLink({ userId: user.id, purpose: "reset-password", email: user.email });
    expect(await resetPassword(token, "first new passphrase", null)).toBe(true);
    expect(await resetPassword(token, "second new passphrase", null)).toBe(false);
  });

  it("cancels every other link of the account, such as a pending change of address", async () => {
    const user = await createUser();
    const changeLink = await issueLink({ userId: user.id, purpose: "change-email", email: "thief@evil.example" });
    const reset = await issueLink({ userId: user.id, purpose: "reset-password", email: user.email });
    expect(await resetPassword(reset, "the owner's new passphrase", null)).toBe(true);
    expect(await consumeLink(changeLink, "change-email")).toBeNull();
  });

  it("drops a second factor enrolled before the address was verified", async () => {
    const user = await createUser({ traits: [] });
    await getDb().execute(sql`insert into totp_credentials (user_id, sealed_key) values (${user.id}, 'squatter')`);
    const reset = await issueLink({ userId: user.id, purpose: "reset-password", email: user.email });
    expect(await resetPassword(reset, "the owner's new passphrase", null)).toBe(true);
    const result = await signIn({ email: user.email, password: "the owner's new passphrase" }, meta);
    expect(result.ok && result.needsMfa).toBe(false);
  });
});
