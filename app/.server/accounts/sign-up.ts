import { eq, sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { recordAudit } from "../audit/log.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { consumeEmailToken, issueEmailToken } from "./email-tokens.ts";
import { hashPassword } from "./passwords.ts";
import type { SignUpInput } from "./schemas.ts";
import type { RequestOrigin } from "./site-url.ts";

/**
 * Creates an account and mails a verification link. The answer is the same whether or not the address is taken:
 * the owner of a taken address gets a mail saying someone tried, so sign-up reveals nothing.
 */
export async function signUp(input: SignUpInput, origin: RequestOrigin): Promise<void> {
  const passwordHash = await hashPassword(input.password);
  await getDb().transaction(async (tx) => {
    const [created] = await tx
      .insert(users)
      .values({ email: input.email, passwordHash, name: input.name, agency: input.agency, jobTitle: input.jobTitle, country: input.country })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id });
    if (!created) {
      await enqueueMail(
        {
          to: input.email,
          subject: "Someone tried to create a Liaison account with your address",
          text: `Someone, perhaps you, tried to create a Liaison account with this address, which already has one.\n\nIf it was you, sign in: ${origin.link("/login")}\nForgot your password? ${origin.link("/forgot-password")}\n\nIf it was not you, you can ignore this mail.`,
        },
        tx,
      );
      return;
    }
    const token = await issueEmailToken({ userId: created.id, purpose: "verify-email", email: input.email }, tx);
    await enqueueMail(verificationMail(input.email, input.name, origin.link(`/verify-email?token=${token}`)), tx);
    await recordAudit({ action: "account.created", actorId: created.id, subjectType: "user", subjectId: created.id, ip: origin.ip }, tx);
  });
}

function verificationMail(to: string, name: string, link: string) {
  return {
    to,
    subject: "Verify your email address for Liaison",
    text: `Hello ${name},\n\nConfirm that this is your address by opening this link within 48 hours:\n\n${link}\n\nIf you did not sign up for Liaison, ignore this mail.`,
  };
}

/** Sends a fresh verification link to a signed-in user whose address is not yet verified. */
export async function resendVerification(userId: string, origin: RequestOrigin): Promise<void> {
  await getDb().transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (!user || user.emailVerifiedAt) return;
    const token = await issueEmailToken({ userId, purpose: "verify-email", email: user.email }, tx);
    await enqueueMail(verificationMail(user.email, user.name, origin.link(`/verify-email?token=${token}`)), tx);
  });
}

export async function verifyEmail(token: string, ip: string | null): Promise<"verified" | "invalid"> {
  return getDb().transaction(async (tx) => {
    const consumed = await consumeEmailToken(token, "verify-email", tx);
    if (!consumed) return "invalid";
    // The token is tied to the address it was sent to; an address changed since then is not verified by it.
    const updated = await tx
      .update(users)
      .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`, updatedAt: sql`now()` })
      .where(sql`${users.id} = ${consumed.userId} and ${users.email} = ${consumed.email}`)
      .returning({ id: users.id });
    if (updated.length === 0) return "invalid";
    await recordAudit({ action: "account.email_verified", actorId: consumed.userId, subjectType: "user", subjectId: consumed.userId, ip }, tx);
    return "verified";
  });
}
