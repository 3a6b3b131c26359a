import { and, eq, isNull, sql } from "drizzle-orm";
import { createTOTPKeyURI, verifyHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import QRCode from "qrcode";
import { getDb, type Executor } from "#db/client.ts";
import { recoveryCodes, totpCredentials, users } from "#db/schema/accounts.ts";
import { recordAudit } from "../audit/log.ts";
import { seal, unseal } from "../crypto/secret.ts";
import { verifyPassword } from "./passwords.ts";
import { markSessionMfaVerified } from "./sessions.ts";
import { clearFailures, describeWait, recordFailure, secondsUntilAllowed } from "./throttle.ts";
import { generateToken, hashToken } from "./tokens.ts";

const PERIOD = 30;
const DIGITS = 6;
const RECOVERY_CODE_COUNT = 10;

export async function totpEnrolled(userId: string, tx: Executor = getDb()): Promise<boolean> {
  const [row] = await tx.select({ userId: totpCredentials.userId }).from(totpCredentials).where(eq(totpCredentials.userId, userId));
  return row !== undefined;
}

/** A new key to show as a QR code; nothing is stored until the user proves their app holds it. */
export async function beginTotpEnrolment(accountName: string): Promise<{ key: string; uri: string; qrSvg: string }> {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  const uri = createTOTPKeyURI("Liaison", accountName, bytes, PERIOD, DIGITS);
  const qrSvg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
  return { key: encodeBase32UpperCaseNoPadding(bytes), uri, qrSvg };
}

/** The time step whose code matches, allowing one step of clock drift either way. */
function matchingStep(key: Uint8Array, code: string, now = Date.now()): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const current = Math.floor(now / 1000 / PERIOD);
  for (const step of [current - 1, current, current + 1]) {
    if (verifyHOTP(key, BigInt(step), DIGITS, code)) return step;
  }
  return null;
}

function decodeKey(key: string): Uint8Array | null {
  try {
    const bytes = decodeBase32IgnorePadding(key.replace(/\s+/g, "").toUpperCase());
    return bytes.length === 20 ? bytes : null;
  } catch {
    return null;
  }
}

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = generateToken().slice(0, 10);
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
}

function normalizeRecoveryCode(code: string): string {
  return code.trim().toLowerCase().replace(/[\s-]/g, "");
}

async function replaceRecoveryCodes(userId: string, tx: Executor): Promise<string[]> {
  const codes = newRecoveryCodes();
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await tx.insert(recoveryCodes).values(codes.map((code) => ({ userId, codeHash: hashToken(normalizeRecoveryCode(code)) })));
  return codes;
}

export type EnrolResult = { ok: true; recoveryCodes: string[] } | { ok: false; field: "currentPassword" | "code" | "form"; message: string };

/**
 * Stores the key once the user has typed a code from it and confirmed their password; returns the recovery
 * codes, which are shown once and kept only as hashes. The current session counts as verified.
 */
export async function confirmTotpEnrolment(input: {
  userId: string;
  sessionId: string;
  key: string;
  code: string;
  currentPassword: string;
  ip: string | null;
}): Promise<EnrolResult> {
  const [user] = await getDb().select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, input.userId));
  if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
    return { ok: false, field: "currentPassword", message: "That password is not correct." };
  }
  const key = decodeKey(input.key);
  if (!key) return { ok: false, field: "form", message: "The setup expired. Start again." };
  const step = matchingStep(key, input.code.trim());
  if (step === null) return { ok: false, field: "code", message: "That code did not match. Check your authenticator app's clock and try the next code." };
  return getDb().transaction(async (tx) => {
    const inserted = await tx
      .insert(totpCredentials)
      .values({ userId: input.userId, sealedKey: seal(key), lastUsedStep: step })
      .onConflictDoNothing()
      .returning({ userId: totpCredentials.userId });
    if (inserted.length === 0) return { ok: false as const, field: "form" as const, message: "Two-factor authentication is already set up." };
    const codes = await replaceRecoveryCodes(input.userId, tx);
    await markSessionMfaVerified(input.sessionId, tx);
    await recordAudit({ action: "mfa.enrolled", actorId: input.userId, subjectType: "user", subjectId: input.userId, ip: input.ip }, tx);
    return { ok: true as const, recoveryCodes: codes };
  });
}

export type SecondFactorResult = { ok: true } | { ok: false; message: string };

function mfaThrottleKeys(userId: string) {
  return { account: `mfa:${userId}`, address: null };
}

/** Checks a code from the app (or a recovery code) for a session waiting for its second factor. */
export async function verifySecondFactor(input: {
  userId: string;
  sessionId: string;
  code: string;
  ip: string | null;
}): Promise<SecondFactorResult> {
  const keys = mfaThrottleKeys(input.userId);
  const wait = await secondsUntilAllowed(keys);
  if (wait > 0) return { ok: false, message: `Too many wrong codes. Try again in ${describeWait(wait)}.` };

  const code = input.code.trim();
  const accepted = /^\d{6}$/.test(code) ? await acceptTotp(input.userId, code) : await acceptRecoveryCode(input.userId, code, input.ip);
  if (!accepted) {
    await recordFailure(keys);
    await recordAudit({ action: "mfa.failed", actorId: input.userId, subjectType: "user", subjectId: input.userId, ip: input.ip });
    return { ok: false, message: "That code is not valid." };
  }
  await clearFailures(keys.account);
  await markSessionMfaVerified(input.sessionId);
  return { ok: true };
}

async function acceptTotp(userId: string, code: string): Promise<boolean> {
  const [credential] = await getDb().select().from(totpCredentials).where(eq(totpCredentials.userId, userId));
  if (!credential) return false;
  const step = matchingStep(unseal(credential.sealedKey), code);
  if (step === null) return false;
  // A code is good once: the step must move forward, atomically, so a replayed code fails.
  const updated = await getDb()
    .update(totpCredentials)
    .set({ lastUsedStep: step })
    .where(and(eq(totpCredentials.userId, userId), sql`coalesce(${totpCredentials.lastUsedStep}, -1) < ${step}`))
    .returning({ userId: totpCredentials.userId });
  return updated.length === 1;
}

async function acceptRecoveryCode(userId: string, code: string, ip: string | null): Promise<boolean> {
  const codeHash = hashToken(normalizeRecoveryCode(code));
  return getDb().transaction(async (tx) => {
    const used = await tx
      .update(recoveryCodes)
      .set({ usedAt: sql`now()` })
      .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)))
      .returning({ userId: recoveryCodes.userId });
    if (used.length === 0) return false;
    await recordAudit({ action: "mfa.recovery_code_used", actorId: userId, subjectType: "user", subjectId: userId, ip }, tx);
    return true;
  });
}

export async function remainingRecoveryCodes(userId: string): Promise<number> {
  const [row] = await getDb()
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return Number(row?.n ?? 0);
}

export async function regenerateRecoveryCodes(input: { userId: string; currentPassword: string; ip: string | null }): Promise<string[] | null> {
  const [user] = await getDb().select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, input.userId));
  if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) return null;
  if (!(await totpEnrolled(input.userId))) return null;
  return getDb().transaction(async (tx) => {
    const codes = await replaceRecoveryCodes(input.userId, tx);
    await recordAudit({ action: "mfa.enrolled", actorId: input.userId, subjectType: "user", subjectId: input.userId, ip: input.ip, details: { recoveryCodesRegenerated: true } }, tx);
    return codes;
  });
}

export async function disableTotp(input: { userId: string; currentPassword: string; ip: string | null }): Promise<boolean> {
  const [user] = await getDb().select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, input.userId));
  if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) return false;
  await getDb().transaction(async (tx) => {
    await tx.delete(totpCredentials).where(eq(totpCredentials.userId, input.userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, input.userId));
    await recordAudit({ action: "mfa.disabled", actorId: input.userId, subjectType: "user", subjectId: input.userId, ip: input.ip }, tx);
  });
  return true;
}
