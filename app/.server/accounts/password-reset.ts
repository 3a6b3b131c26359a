import { eq, sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { recoveryCodes, totpCredentials, users } from "#db/schema/accounts.ts";
import { recordAudit } from "../audit/log.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { consumeEmailToken, issueEmailToken, revokeUnusedTokens } from "./email-tokens.ts";
import { hashPassword } from "./passwords.ts";
import { invalidateUserSessions } from "./sessions.ts";
import { clearAccountFailures, clearFailures, takeRateLimit } from "./throttle.ts";
import type { RequestOrigin } from "./site-url.ts";

/** Mails a reset link if the address has an account; the caller answers the same either way. */
export async function requestPasswordReset(email: string, origin: RequestOrigin): Promise<void> {
  // A cap per address keeps the form from being used to flood someone's mailbox.
  if (!(await takeRateLimit(`reset:${email}`, 5, 3600))) return;
  await getDb().transaction(async (tx) => {
    const [user] = await tx.select({ id: users.id, name: users.name }).from(users).where(eq(users.email, email));
    if (!user) return;
    const token = await issueEmailToken({ userId: user.id, purpose: "reset-password", email }, tx);
    await enqueueMail(
      {
        to: email,
        subject: "Reset your Liaison password",
        text: `Hello ${user.name},\n\nSomeone asked to reset the password of your Liaison account. To choose a new one, open this link within an hour:\n\n${origin.link(`/reset-password?token=${token}`)}\n\nIf it was not you, ignore this mail: your password stays as it is.`,
      },
      tx,
    );
  });
}

/**
 * Sets a new password from a reset link: every session ends, the sign-in throttle of the account is cleared
 * (the way back for a user whose account an attacker had throttled), and the address counts as verified.
 */
export async function resetPassword(token: string, newPassword: string, ip: string | null): Promise<boolean> {
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
    await clearFailures(`mfa:${user.id}`, tx);
    await clearFailures(`reauth:${user.id}`, tx);
    if (!before?.emailVerifiedAt) {
      // A second factor enrolled before anyone proved the address may be a squatter's: the mailbox's owner drops it.
      await tx.delete(totpCredentials).where(eq(totpCredentials.userId, user.id));
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    }
    await clearAccountFailures(user.email, tx);
    await recordAudit({ action: "account.password_reset", actorId: user.id, subjectType: "user", subjectId: user.id, ip }, tx);
    await enqueueMail(
      {
        to: user.email,
        subject: "Your Liaison password was changed",
        text: `Hello ${user.name},\n\nThe password of your Liaison account was just reset, and every session was signed out. If this was not you, reset it again at once and tell the organizers.`,
      },
      tx,
    );
    return true;
  });
}
