import { and, eq, isNull, sql } from "drizzle-orm";
import { createTOTPKeyURI, verifyHOTP } from "@oslojs/otp";
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import QRCode from "qrcode";
import { getDb, type Executor, type Transaction } from "#db/client.ts";
import { recoveryCodes, sessions, totpCredentials } from "#db/schema/accounts.ts";
import { recordAudit } from "../audit/log.ts";
import { seal, unseal } from "../crypto/secret.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { markSessionMfaVerified } from "./sessions.ts";
import { describeWait, reserveAttempt, settleSuccess, THROTTLE, throttleKey } from "./throttle.ts";
import { generateToken, hashToken } from "./tokens.ts";
import { confirmCurrentPassword } from "./reauth.ts";

const PERIOD = 30;
const DIGITS = 6;
const KEY_BYTES = 20;
export const RECOVERY_CODE_COUNT = 10;

export async function totpEnrolled(userId: string, tx: Executor = getDb()): Promise<boolean> {
  const [row] = await tx.select({ userId: totpCredentials.userId }).from(totpCredentials).where(eq(totpCredentials.userId, userId));
  return row !== undefined;
}

export type TotpSetup = { key: string; uri: string; qrSvg: string };

async function describeKeyBytes(accountName: string, bytes: Uint8Array): Promise<TotpSetup> {
  const uri = createTOTPKeyURI("Liaison", accountName, bytes, PERIOD, DIGITS);
  const qrSvg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
  return { key: encodeBase32UpperCaseNoPadding(bytes), uri, qrSvg };
}

/** A new key to show as a QR code; nothing is stored until the user proves their app holds it. */
export async function beginTotpEnrolment(accountName: string): Promise<TotpSetup> {
  const bytes = new Uint8Array(KEY_BYTES);
  crypto.getRandomValues(bytes);
  return describeKeyBytes(accountName, bytes);
}

/**
 * The QR code of a key already handed out, so that a retried setup keeps the key the user's app has scanned;
 * null when the text is not a key of ours.
 */
export async function describeTotpKey(accountName: string, key: string): Promise<TotpSetup | null> {
  const bytes = decodeKey(key);
  return bytes ? describeKeyBytes(accountName, bytes) : null;
}

/** Apps show codes as "123 456"; people type them that way. */
function normalizeTotpCode(code: string): string {
  return code.replace(/\s+/g, "");
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
    return bytes.length === KEY_BYTES ? bytes : null;
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

async function replaceRecoveryCodes(userId: string, tx: Transaction): Promise<string[]> {
  const codes = newRecoveryCodes();
  await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await tx.insert(recoveryCodes).values(codes.map((code) => ({ userId, codeHash: hashToken(normalizeRecoveryCode(code)) })));
  return codes;
}

/** Why a change to the second factor was refused, and on which field of the form; `throttled` means wait. */
export type MfaFailure = { ok: false; field: "currentPassword" | "code" | "form"; message: string; throttled: boolean };

const refuse = (field: MfaFailure["field"], message: string): MfaFailure => ({ ok: false, field, message, throttled: false });

/** Changing the second factor asks for the password again. */
async function checkCurrentPassword(userId: string, password: string): Promise<{ ok: true; email: string; name: string } | MfaFailure> {
  const check = await confirmCurrentPassword(userId, password);
  return check.ok ? { ok: true, email: check.user.email, name: check.user.name } : check;
}

function securityMail(user: { email: string; name: string }, subject: string, what: string) {
  return {
    to: user.email,
    subject,
    text: `Hello ${user.name},\n\n${what}\n\nIf this was not you, reset your password at once and tell the organizers.`,
  };
}

export type EnrolResult = { ok: true; recoveryCodes: string[] } | MfaFailure;

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
  const account = await checkCurrentPassword(input.userId, input.currentPassword);
  if (!account.ok) return account;
  const key = decodeKey(input.key);
  if (!key) return refuse("form", "The setup expired. Start again.");
  const step = matchingStep(key, normalizeTotpCode(input.code));
  if (step === null) return refuse("code", "That code did not match. Check your authenticator app's clock and try the next code.");
  return getDb().transaction(async (tx) => {
    const inserted = await tx
      .insert(totpCredentials)
      .values({ userId: input.userId, sealedKey: seal(key), lastUsedStep: step })
      .onConflictDoNothing()
      .returning({ userId: totpCredentials.userId });
    if (inserted.length === 0) return refuse("form", "Two-factor authentication is already set up.");
    const codes = await replaceRecoveryCodes(input.userId, tx);
    await markSessionMfaVerified(input.sessionId, tx);
    await recordAudit({ action: "mfa.enrolled", actorId: input.userId, subjectType: "user", subjectId: input.userId, ip: input.ip }, tx);
    await enqueueMail(
      securityMail(account, "Two-factor authentication is on", "Two-factor authentication was just turned on for your Liaison account."),
      tx,
    );
    return { ok: true as const, recoveryCodes: codes };
  });
}

export type SecondFactorResult = { ok: true } | { ok: false; message: string; throttled: boolean };

/** The session finished its sign-in between the form and this check, or was ended meanwhile. */
class SessionGone extends Error {}

/**
 * Checks a code from the app (or a recovery code) for a session waiting for its second factor. The attempt is
 * reserved before the code is checked, so a parallel burst gets no more guesses than the throttle allows; the code
 * is used up and the session verified in one transaction, so a recovery code is never spent on a session that
 * did not get verified.
 */
export async function verifySecondFactor(input: {
  userId: string;
  sessionId: string;
  code: string;
  ip: string | null;
}): Promise<SecondFactorResult> {
  const key = throttleKey.secondFactor(input.userId);
  const wait = await reserveAttempt([{ key, policy: THROTTLE.code, enforce: true }]);
  if (wait !== null) return { ok: false, message: `Too many wrong codes. Try again in ${describeWait(wait)}.`, throttled: true };

  const totp = normalizeTotpCode(input.code);
  let accepted: boolean;
  try {
    accepted = await getDb().transaction(async (tx) => {
      const ok = /^\d{6}$/.test(totp) ? await acceptTotp(tx, input.userId, totp) : await acceptRecoveryCode(tx, input.userId, input.code, input.ip);
      if (!ok) return false;
      if (!(await markSessionMfaVerified(input.sessionId, tx))) throw new SessionGone();
      await settleSuccess(tx, { clear: [key] });
      await recordAudit({ action: "auth.mfa_verified", actorId: input.userId, subjectType: "user", subjectId: input.userId, ip: input.ip }, tx);
      return true;
    });
  } catch (error) {
    if (error instanceof SessionGone) return { ok: false, message: "This sign-in has ended. Sign in again.", throttled: false };
    throw error;
  }
  if (!accepted) {
    await getDb().transaction((tx) =>
      recordAudit({ action: "mfa.failed", actorId: input.userId, subjectType: "user", subjectId: input.userId, ip: input.ip }, tx),
    );
    return { ok: false, message: "That code is not valid.", throttled: false };
  }
  return { ok: true };
}

async function acceptTotp(tx: Transaction, userId: string, code: string): Promise<boolean> {
  const [credential] = await tx.select().from(totpCredentials).where(eq(totpCredentials.userId, userId));
  if (!credential) return false;
  const step = matchingStep(unseal(credential.sealedKey), code);
  if (step === null) return false;
  // A code is good once: the step must move forward, atomically, so a replayed code fails.
  const updated = await tx
    .update(totpCredentials)
    .set({ lastUsedStep: step })
    .where(and(eq(totpCredentials.userId, userId), sql`coalesce(${totpCredentials.lastUsedStep}, -1) < ${step}`))
    .returning({ userId: totpCredentials.userId });
  return updated.length === 1;
}

async function acceptRecoveryCode(tx: Transaction, userId: string, code: string, ip: string | null): Promise<boolean> {
  const codeHash = hashToken(normalizeRecoveryCode(code));
  const used = await tx
    .update(recoveryCodes)
    .set({ usedAt: sql`now()` })
    .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, codeHash), isNull(recoveryCodes.usedAt)))
    .returning({ userId: recoveryCodes.userId });
  if (used.length === 0) return false;
  await recordAudit({ action: "mfa.recovery_code_used", actorId: userId, subjectType: "user", subjectId: userId, ip }, tx);
  return true;
}

export async function remainingRecoveryCodes(userId: string): Promise<number> {
  const [row] = await getDb()
    .select({ n: sql<number>`count(*)::int` })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return Number(row?.n ?? 0);
}

/** A fresh set of recovery codes, shown once; the old ones stop working. */
export async function regenerateRecoveryCodes(input: { userId: string; currentPassword: string; ip: string | null }): Promise<EnrolResult> {
  const account = await checkCurrentPassword(input.userId, input.currentPassword);
  if (!account.ok) return account;
  return getDb().transaction(async (tx) => {
    // Locking the credential makes two concurrent requests take turns, so one set replaces the other.
    const [credential] = await tx
      .select({ userId: totpCredentials.userId })
      .from(totpCredentials)
      .where(eq(totpCredentials.userId, input.userId))
      .for("update");
    if (!credential) return refuse("form", "Two-factor authentication is not set up.");
    const codes = await replaceRecoveryCodes(input.userId, tx);
    await recordAudit(
      { action: "mfa.recovery_codes_regenerated", actorId: input.userId, subjectType: "user", subjectId: input.userId, ip: input.ip },
      tx,
    );
    await enqueueMail(
      securityMail(account, "New recovery codes", "New recovery codes were just created for your Liaison account; the old ones no longer work."),
      tx,
    );
    return { ok: true as const, recoveryCodes: codes };
  });
}

/**
 * Removes the second factor. Sessions verified with it no longer count as verified, so roles that need MFA
 * ask the user to enrol again.
 */
export async function disableTotp(input: { userId: string; currentPassword: string; ip: string | null }): Promise<{ ok: true } | MfaFailure> {
  const account = await checkCurrentPassword(input.userId, input.currentPassword);
  if (!account.ok) return account;
  return getDb().transaction(async (tx) => {
    const removed = await tx.delete(totpCredentials).where(eq(totpCredentials.userId, input.userId)).returning({ userId: totpCredentials.userId });
    if (removed.length === 0) return refuse("form", "Two-factor authentication is already off.");
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, input.userId));
    await tx.update(sessions).set({ mfaVerifiedAt: null }).where(eq(sessions.userId, input.userId));
    await recordAudit({ action: "mfa.disabled", actorId: input.userId, subjectType: "user", subjectId: input.userId, ip: input.ip }, tx);
    await enqueueMail(
      securityMail(account, "Two-factor authentication is off", "Two-factor authentication was just turned off for your Liaison account."),
      tx,
    );
    return { ok: true as const };
  });
}
