import { z } from "zod";
import { eq, sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { recoveryCodes, totpCredentials, users } from "#db/schema/accounts.ts";
import { recordAudit } from "../audit/log.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { defineJob } from "../jobs/define.ts";
import { enqueue } from "../jobs/queue.ts";
import { consumeEmailToken, issueEmailToken, peekEmailToken, revokeUnusedTokens } from "./email-tokens.ts";
import { hashPassword } from "./passwords.ts";
import { invalidateUserSessions } from "./sessions.ts";
import { clearAccountFailures, clearFailures, takeRateLimit, throttleKey } from "./throttle.ts";
import type { RequestOrigin } from "./site-url.ts";

/**
 * Asks for a reset link. The request only queues the work, the same for every address, so neither the answer nor
 * its timing tells whether the address has an account; the job looks the address up and mails the link.
 */
export async function requestPasswordReset(email: string, origin: RequestOrigin): Promise<void> {
  await getDb().transaction((tx) => enqueue(tx, passwordResetRequestJob, { email, siteRoot: origin.link("/") }));
}

/** Mails a reset link if the address has an account (idempotent enough: a repeat sends a newer link). */
export async function mailPasswordReset(email: string, siteRoot: string): Promise<void> {
  // A cap per address keeps the form from being used to flood someone's mailbox.
  if (!(await takeRateLimit(`reset:${email}`, 5, 3600))) return;
  await getDb().transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id, name: users.name }).from(users).where(eq(users.email, email));
    if (!user) return;
    const token = await issueEmailToken({ userId: user.id, purpose: "reset-password", email }, tx);
    await enqueueMail(
      {
        to: email,
        userId: user.id,
        subject: "Reset your Liaison password",
        text: `Hello ${user.name},\n\nSomeone asked to reset the password of your Liaison account. To choose a new one, open this link within an hour:\n\n${new URL(`/reset-password?token=${token}`, siteRoot).toString()}\n\nIf it was not you, ignore this mail: your password stays as it is.`,
      },
      tx,
    );
  });
}

export const passwordResetRequestJob = defineJob({
  name: "accounts.password-reset-request",
  payload: z.object({ email: z.string(), siteRoot: z.string().url() }),
  retry: { limit: 3, delaySeconds: 10, backoff: true },
  timeoutSeconds: 60,
  run: ({ email, siteRoot }) => mailPasswordReset(email, siteRoot),
});

/**
 * Sets a new password from a reset link: every session ends, the sign-in throttle of the account is cleared
 * (the way back for a user whose account an attacker had throttled), and the address counts as verified.
 */
export async function resetPassword(token: string, newPassword: string, ip: string | null): Promise<boolean> {
  // Hashing costs a core for tens of milliseconds: only for a link that works (it is checked again when used).
  if (!(await peekEmailToken(token, "reset-password"))) return false;
  const passwordHash = await hashPassword(newPassword);
  return getDb().transaction(async (tx) => {
    const consumed = await consumeEmailToken(token, "reset-password", tx);
    if (!consumed) return false;
    const [before] = await tx.select({ emailVerifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, consumed.userId)).for("update");
    const [user] = await tx
      .update(users)
      .set({ passwordHash, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`, updatedAt: sql`now()` })
      .where(sql`${users.id} = ${consumed.userId} and ${users.email} = ${consumed.email}`)
      .returning({ id: users.id, email: users.email, name: users.name });
    if (!user) return false;
    await invalidateUserSessions(user.id, {}, tx);
    await revokeUnusedTokens(user.id, tx);
    // Whoever has the mailbox now owns the account: old wrong guesses at the MFA step or a re-check stop counting.
    await clearFailures(tx, throttleKey.secondFactor(user.id));
    await clearFailures(tx, throttleKey.reauth(user.id));
    if (!before?.emailVerifiedAt) {
      // A second factor enrolled before anyone proved the address may be a squatter's: the mailbox's owner drops it.
      await tx.delete(totpCredentials).where(eq(totpCredentials.userId, user.id));
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    }
    await clearAccountFailures(tx, user.email);
    await recordAudit({ action: "account.password_reset", actorId: user.id, subjectType: "user", subjectId: user.id, ip }, tx);
    await enqueueMail(
      {
        to: user.email,
        userId: user.id,
        subject: "Your Liaison password was changed",
        text: `Hello ${user.name},\n\nThe password of your Liaison account was just reset, and every session was signed out. If this was not you, reset it again at once and tell the organizers.`,
      },
      tx,
    );
    return true;
  });
}
