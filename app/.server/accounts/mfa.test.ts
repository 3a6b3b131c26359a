import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { recoveryCodes, sessions, totpCredentials } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { createUser, createUserSession, FACTORY_PASSWORD } from "#tests/factories/accounts.ts";
import {
  beginTotpEnrolment,
  confirmTotpEnrolment,
  describeTotpKey,
  disableTotp,
  RECOVERY_CODE_COUNT,
  regenerateRecoveryCodes,
  remainingRecoveryCodes,
  totpEnrolled,
  verifySecondFactor,
} from "./mfa.ts";
import { THROTTLE } from "./throttle.ts";

const ip = "203.0.113.9";

function codeAt(key: string, step: number): string {
  return generateHOTP(decodeBase32IgnorePadding(key), BigInt(step), 6);
}

function currentCode(key: string): string {
  return codeAt(key, Math.floor(Date.now() / 30_000));
}

/** A six-digit code that matches none of the steps the server accepts right now. */
function wrongCode(key: string): string {
  const step = Math.floor(Date.now() / 30_000);
  const near = new Set([-2, -1, 0, 1, 2].map((offset) => codeAt(key, step + offset)));
  let candidate = Number(currentCode(key));
  do candidate = (candidate + 1) % 1_000_000;
  while (near.has(String(candidate).padStart(6, "0")));
  return String(candidate).padStart(6, "0");
}

async function enrolledUser() {
  const user = await createUser({ traits: ["verified", "member"] });
  const session = await createUserSession(user.id);
  const { key } = await beginTotpEnrolment(user.email);
  const result = await confirmTotpEnrolment({
    userId: user.id,
    sessionId: session.sessionId,
    key,
    code: currentCode(key),
    currentPassword: FACTORY_PASSWORD,
    ip,
  });
  if (!result.ok) throw new Error(`enrolment failed: ${result.message}`);
  return { user, key, codes: result.recoveryCodes };
}

/** As if the enrolment code had been typed in an earlier time window, so the current code is fresh. */
async function forgetLastUsedStep(userId: string) {
  await getDb().update(totpCredentials).set({ lastUsedStep: null }).where(eq(totpCredentials.userId, userId));
}

async function signInSession(userId: string) {
  return createUserSession(userId);
}

async function sessionVerified(sessionId: string): Promise<boolean> {
  const [row] = await getDb().select({ at: sessions.mfaVerifiedAt }).from(sessions).where(eq(sessions.id, sessionId));
  return row?.at != null;
}

describe("TOTP enrolment", () => {
  it("hands out a 160-bit key whose QR code can be drawn again from the key alone", async () => {
    const setup = await beginTotpEnrolment("someone@agency.example");
    expect(setup.key).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.uri).toMatch(/^otpauth:\/\/totp\/Liaison:someone%40agency\.example\?/);
    expect(setup.qrSvg).toMatch(/^<svg[^>]*>.*<\/svg>\s*$/s);
    expect(setup.qrSvg).not.toMatch(/style=/);
    const again = await describeTotpKey("someone@agency.example", setup.key.toLowerCase().replace(/(.{4})/g, "$1 "));
    expect(again).toEqual(setup);
    expect(await describeTotpKey("someone@agency.example", "not a key")).toBeNull();
    expect(await describeTotpKey("someone@agency.example", "ABCDEFGH")).toBeNull();
  });

  it("needs the current password and a code from the key, and stores nothing until both are right", async () => {
    const user = await createUser();
    const session = await createUserSession(user.id);
    const { key } = await beginTotpEnrolment(user.email);
    const base = { userId: user.id, sessionId: session.sessionId, key, ip };

    const wrongPassword = await confirmTotpEnrolment({ ...base, code: currentCode(key), currentPassword: "not my password at all" });
    expect(wrongPassword).toMatchObject({ ok: false, field: "currentPassword", throttled: false });
    const wrong = await confirmTotpEnrolment({ ...base, code: wrongCode(key), currentPassword: FACTORY_PASSWORD });
    expect(wrong).toMatchObject({ ok: false, field: "code" });
    const otherKey = (await beginTotpEnrolment(user.email)).key;
    const fromOtherKey = await confirmTotpEnrolment({ ...base, code: currentCode(otherKey), currentPassword: FACTORY_PASSWORD });
    expect(fromOtherKey).toMatchObject({ ok: false, field: "code", throttled: false });

    expect(await totpEnrolled(user.id)).toBe(false);
    expect(await getDb().select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id))).toEqual([]);
    expect(await sessionVerified(session.sessionId)).toBe(false);
  });

  it("marks the session verified, returns ten recovery codes and mails the user", async () => {
    const user = await createUser({ traits: ["verified", "member"] });
    const session = await createUserSession(user.id);
    const { key } = await beginTotpEnrolment(user.email);
    const code = currentCode(key);
    const result = await confirmTotpEnrolment({
      userId: user.id,
      sessionId: session.sessionId,
      key,
      code: `${code.slice(0, 3)} ${code.slice(3)}`,
      currentPassword: FACTORY_PASSWORD,
      ip,
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.recoveryCodes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(result.recoveryCodes).size).toBe(RECOVERY_CODE_COUNT);
    for (const recovery of result.recoveryCodes) expect(recovery).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect(await totpEnrolled(user.id)).toBe(true);
    expect(await sessionVerified(session.sessionId)).toBe(true);
    expect(await remainingRecoveryCodes(user.id)).toBe(RECOVERY_CODE_COUNT);
    const mails = await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, user.email));
    expect(mails.map((mail) => mail.subject)).toEqual(["Two-factor authentication is on"]);

    const twice = await confirmTotpEnrolment({ userId: user.id, sessionId: session.sessionId, key, code, currentPassword: FACTORY_PASSWORD, ip });
    expect(twice).toMatchObject({ ok: false, field: "form" });
  });

  it("keeps the key sealed and the recovery codes hashed", async () => {
    const { user, key, codes } = await enrolledUser();
    const [credential] = await getDb().select().from(totpCredentials).where(eq(totpCredentials.userId, user.id));
    expect(credential).toBeDefined();
    const rawKey = Buffer.from(decodeBase32IgnorePadding(key));
    expect(credential!.sealedKey).not.toContain(key);
    expect(credential!.sealedKey.toUpperCase()).not.toContain(key.slice(0, 16));
    expect(credential!.sealedKey).not.toContain(rawKey.toString("base64").slice(0, 16));
    expect(credential!.sealedKey).not.toContain(rawKey.toString("hex").slice(0, 16));

    const stored = await getDb().select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    expect(stored).toHaveLength(RECOVERY_CODE_COUNT);
    const dump = JSON.stringify(stored);
    for (const code of codes) {
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(code.replace("-", ""));
    }
    for (const row of stored) expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("verifySecondFactor", () => {
  it("refuses the code that was used to enrol", async () => {
    const { user, key } = await enrolledUser();
    const session = await signInSession(user.id);
    // The enrolment code's step is spent, even if the clock has moved on to the next one since.
    const step = (await getDb().select().from(totpCredentials).where(eq(totpCredentials.userId, user.id)))[0]!.lastUsedStep!;
    const result = await verifySecondFactor({ userId: user.id, sessionId: session.sessionId, code: codeAt(key, step), ip });
    expect(result).toEqual({ ok: false, message: "That code is not valid.", throttled: false });
  });

  it("accepts a current code once and refuses it when replayed", async () => {
    const { user, key } = await enrolledUser();
    await forgetLastUsedStep(user.id);
    const first = await signInSession(user.id);
    const second = await signInSession(user.id);
    const code = currentCode(key);

    expect(await verifySecondFactor({ userId: user.id, sessionId: first.sessionId, code, ip })).toEqual({ ok: true });
    expect(await sessionVerified(first.sessionId)).toBe(true);
    const replay = await verifySecondFactor({ userId: user.id, sessionId: second.sessionId, code, ip });
    expect(replay).toEqual({ ok: false, message: "That code is not valid.", throttled: false });
    expect(await sessionVerified(second.sessionId)).toBe(false);
  });

  it("accepts a recovery code once, in any case and with or without its dash", async () => {
    const { user, codes } = await enrolledUser();
    const first = await signInSession(user.id);
    const second = await signInSession(user.id);
    const code = codes[3]!;

    const used = await verifySecondFactor({ userId: user.id, sessionId: first.sessionId, code: ` ${code.toUpperCase()} `, ip });
    expect(used).toEqual({ ok: true });
    expect(await remainingRecoveryCodes(user.id)).toBe(RECOVERY_CODE_COUNT - 1);
    const again = await verifySecondFactor({ userId: user.id, sessionId: second.sessionId, code: code.replace("-", ""), ip });
    expect(again).toEqual({ ok: false, message: "That code is not valid.", throttled: false });
    expect(await sessionVerified(second.sessionId)).toBe(false);
    // Another user's codes are no good here.
    const other = await enrolledUser();
    expect((await verifySecondFactor({ userId: user.id, sessionId: second.sessionId, code: other.codes[0]!, ip })).ok).toBe(false);
  });

  it("refuses even the right code after five wrong ones in a row", async () => {
    const { user, key, codes } = await enrolledUser();
    await forgetLastUsedStep(user.id);
    const session = await signInSession(user.id);
    for (let attempt = 0; attempt < 5; attempt++) {
      const wrong = await verifySecondFactor({ userId: user.id, sessionId: session.sessionId, code: wrongCode(key), ip });
      expect(wrong).toMatchObject({ ok: false, throttled: false });
    }
    const right = await verifySecondFactor({ userId: user.id, sessionId: session.sessionId, code: currentCode(key), ip });
    expect(right.ok).toBe(false);
    expect(!right.ok && right.message).toMatch(/^Too many wrong codes\. Try again in \d+ seconds\.$/);
    expect(!right.ok && right.throttled).toBe(true);
    const recovery = await verifySecondFactor({ userId: user.id, sessionId: session.sessionId, code: codes[0]!, ip });
    expect(recovery).toMatchObject({ ok: false, throttled: true });
    expect(await sessionVerified(session.sessionId)).toBe(false);
    expect(await remainingRecoveryCodes(user.id)).toBe(RECOVERY_CODE_COUNT);
  });

  it("checks no more than five codes of a parallel burst of 60 (issue 7, finding 2)", async () => {
    const { user, key } = await enrolledUser();
    const session = await signInSession(user.id);
    const results = await Promise.all(
      Array.from({ length: 60 }, () => verifySecondFactor({ userId: user.id, sessionId: session.sessionId, code: wrongCode(key), ip })),
    );
    expect(results.filter((result) => !result.ok && !result.throttled)).toHaveLength(THROTTLE.code.freeFailures);
    expect(results.filter((result) => !result.ok && result.throttled)).toHaveLength(60 - THROTTLE.code.freeFailures);
    const failed = await getDb().select().from(auditLog).where(sql`${auditLog.action} = 'mfa.failed' and ${auditLog.actorId} = ${user.id}`);
    expect(failed).toHaveLength(THROTTLE.code.freeFailures);
  });

  it("spends a recovery code only together with the session it verifies (issue 6)", async () => {
    const { user, codes } = await enrolledUser();
    const session = await signInSession(user.id);
    await getDb().delete(sessions).where(eq(sessions.id, session.sessionId));
    const result = await verifySecondFactor({ userId: user.id, sessionId: session.sessionId, code: codes[0]!, ip });
    expect(result).toEqual({ ok: false, message: "This sign-in has ended. Sign in again.", throttled: false });
    expect(await remainingRecoveryCodes(user.id)).toBe(RECOVERY_CODE_COUNT);
    const used = await getDb().select().from(auditLog).where(sql`${auditLog.action} = 'mfa.recovery_code_used' and ${auditLog.actorId} = ${user.id}`);
    expect(used).toHaveLength(0);
  });
});

describe("managing the second factor", () => {
  it("regenerates recovery codes with the password: the old ones stop working, the new ones work", async () => {
    const { user, codes } = await enrolledUser();
    const refused = await regenerateRecoveryCodes({ userId: user.id, currentPassword: "a wrong password", ip });
    expect(refused).toMatchObject({ ok: false, field: "currentPassword" });

    const result = await regenerateRecoveryCodes({ userId: user.id, currentPassword: FACTORY_PASSWORD, ip });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.recoveryCodes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(result.recoveryCodes.filter((code) => codes.includes(code))).toEqual([]);
    expect(await remainingRecoveryCodes(user.id)).toBe(RECOVERY_CODE_COUNT);

    const session = await signInSession(user.id);
    expect((await verifySecondFactor({ userId: user.id, sessionId: session.sessionId, code: codes[0]!, ip })).ok).toBe(false);
    expect(await verifySecondFactor({ userId: user.id, sessionId: session.sessionId, code: result.recoveryCodes[0]!, ip })).toEqual({ ok: true });
  });

  it("refuses to regenerate codes for an account without a second factor", async () => {
    const user = await createUser();
    const result = await regenerateRecoveryCodes({ userId: user.id, currentPassword: FACTORY_PASSWORD, ip });
    expect(result).toMatchObject({ ok: false, field: "form" });
    expect(await remainingRecoveryCodes(user.id)).toBe(0);
  });

  it("turns MFA off only with the password, and then no session counts as verified", async () => {
    const { user, key, codes } = await enrolledUser();
    await forgetLastUsedStep(user.id);
    const session = await signInSession(user.id);
    expect(await verifySecondFactor({ userId: user.id, sessionId: session.sessionId, code: currentCode(key), ip })).toEqual({ ok: true });

    expect(await disableTotp({ userId: user.id, currentPassword: "a wrong password", ip })).toMatchObject({ ok: false, field: "currentPassword" });
    expect(await totpEnrolled(user.id)).toBe(true);

    expect(await disableTotp({ userId: user.id, currentPassword: FACTORY_PASSWORD, ip })).toEqual({ ok: true });
    expect(await totpEnrolled(user.id)).toBe(false);
    expect(await remainingRecoveryCodes(user.id)).toBe(0);
    expect(await getDb().select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id))).toEqual([]);
    expect(await sessionVerified(session.sessionId)).toBe(false);
    const other = await signInSession(user.id);
    expect((await verifySecondFactor({ userId: user.id, sessionId: other.sessionId, code: codes[1]!, ip })).ok).toBe(false);
    const mails = await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, user.email));
    expect(mails.map((mail) => mail.subject)).toContain("Two-factor authentication is off");

    // A second submit changes nothing and says so.
    expect(await disableTotp({ userId: user.id, currentPassword: FACTORY_PASSWORD, ip })).toMatchObject({ ok: false, field: "form" });
  });

  it("throttles wrong passwords on these forms", async () => {
    const { user } = await enrolledUser();
    for (let attempt = 0; attempt < 5; attempt++) {
      expect(await disableTotp({ userId: user.id, currentPassword: `wrong password ${attempt}`, ip })).toMatchObject({ throttled: false });
    }
    const right = await disableTotp({ userId: user.id, currentPassword: FACTORY_PASSWORD, ip });
    expect(right).toMatchObject({ ok: false, field: "currentPassword", throttled: true });
    expect(!right.ok && right.message).toMatch(/^Too many wrong passwords/);
    expect(await totpEnrolled(user.id)).toBe(true);
  });
});
