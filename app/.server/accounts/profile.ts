import { and, eq, ne, sql } from "drizzle-orm";
import type { z } from "zod";
import { getDb, type Transaction } from "#db/client.ts";
import { sessions, totpCredentials, users } from "#db/schema/accounts.ts";
import { recordAudit } from "../audit/log.ts";
import { eraseAllParts, exportAllParts, type EraseContext } from "../data-rights/registry.ts";
import { NotFoundError } from "../errors.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { sessionCookieFor } from "./cookies.ts";
import { consumeEmailToken, issueEmailToken, revokeUnusedTokens } from "./email-tokens.ts";
import { hashPassword } from "./passwords.ts";
import { deriveRoles, isPrivileged } from "./permissions.ts";
import type { ProfileFieldsSchema } from "./schemas.ts";
import { createSession, invalidateUserSessions, listUserSessions } from "./sessions.ts";
import { takeRateLimit } from "./throttle.ts";
import type { RequestOrigin } from "./site-url.ts";
import { confirmCurrentPassword } from "./reauth.ts";

/** Where a request came from: the address for the audit log, and how to build absolute links for mail. */
export type ProfileInput = z.output<typeof ProfileFieldsSchema>;

/** A refusal tied to the form field it belongs to ("form" for the whole form). */
export type Refusal<F extends string> = { ok: false; field: F | "form"; message: string };

/** The account as its owner sees it on /account. */
export async function getAccount(userId: string) {
  const [row] = await getDb()
    .select({
      email: users.email,
      emailVerifiedAt: users.emailVerifiedAt,
      name: users.name,
      agency: users.agency,
      jobTitle: users.jobTitle,
      country: users.country,
      roles: users.roles,
      memberUntil: users.memberUntil,
      createdAt: users.createdAt,
      // Spelled out: Drizzle leaves columns unqualified in a one-table select.
      mfaEnrolled: sql<boolean>`exists (select 1 from ${totpCredentials} t where t.user_id = users.id)`,
    })
    .from(users)
    .where(eq(users.id, userId));
  if (!row) return null;
  return { ...row, effectiveRoles: deriveRoles(row, new Date()) };
}

/** Saves the profile fields; saving the same values again changes nothing and records nothing. */
export async function updateProfile(userId: string, input: ProfileInput, ip: string | null): Promise<{ changed: string[] }> {
  return getDb().transaction(async (tx) => {
    const [before] = await tx
      .select({ name: users.name, agency: users.agency, jobTitle: users.jobTitle, country: users.country })
      .from(users)
      .where(eq(users.id, userId))
      .for("update");
    if (!before) throw new NotFoundError();
    const changed = (Object.keys(before) as (keyof ProfileInput)[]).filter((key) => before[key] !== input[key]);
    if (changed.length === 0) return { changed };
    await tx
      .update(users)
      .set({ name: input.name, agency: input.agency, jobTitle: input.jobTitle, country: input.country, updatedAt: sql`now()` })
      .where(eq(users.id, userId));
    await recordAudit({ action: "account.profile_updated", actorId: userId, subjectType: "user", subjectId: userId, ip, details: { fields: changed } }, tx);
    return { changed };
  });
}

export type PasswordChangeResult = { ok: true; cookie: string } | Refusal<"currentPassword" | "password">;

/**
 * Sets a new password and ends every session of the account, then opens a fresh one for the browser that asked
 * (with the same second-factor state), so that only this browser stays signed in, on a new cookie.
 */
export async function changePassword(input: {
  userId: string;
  currentPassword: string;
  newPassword: string;
  mfaVerified: boolean;
  ip: string | null;
  userAgent: string | null;
}): Promise<PasswordChangeResult> {
  const check = await confirmCurrentPassword(input.userId, input.currentPassword);
  if (!check.ok) return check;
  const { user } = check;
  if (input.newPassword === input.currentPassword) {
    return { ok: false, field: "password", message: "Choose a password different from your current one." };
  }
  const passwordHash = await hashPassword(input.newPassword);
  const { token } = await getDb().transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: sql`now()` }).where(eq(users.id, user.id));
    await invalidateUserSessions(user.id, {}, tx);
    await revokeUnusedTokens(user.id, tx);
    const session = await createSession(user.id, { ip: input.ip, userAgent: input.userAgent, mfaVerified: input.mfaVerified }, tx);
    await recordAudit({ action: "account.password_changed", actorId: user.id, subjectType: "user", subjectId: user.id, ip: input.ip }, tx);
    await enqueueMail(
      {
        to: user.email,
        subject: "Your Liaison password was changed",
        text: `Hello ${user.name},\n\nThe password of your Liaison account was just changed, and every other session was signed out.\n\nIf this was not you, reset your password at once and tell the organizers.`,
      },
      tx,
    );
    return session;
  });
  const cookie = sessionCookieFor(token, isPrivileged(deriveRoles(user, new Date())));
  return { ok: true, cookie };
}

export type EmailChangeRequest = { ok: true } | Refusal<"currentPassword" | "email">;

/**
 * Starts a change of address: the new address gets a confirmation link, the old one a notice. An address that
 * belongs to another account gets a "someone tried" notice instead of a link, and the answer is the same, so the
 * form does not tell which addresses have accounts.
 */
export async function requestEmailChange(
  input: { userId: string; currentPassword: string; newEmail: string },
  origin: RequestOrigin,
): Promise<EmailChangeRequest> {
  const check = await confirmCurrentPassword(input.userId, input.currentPassword);
  if (!check.ok) return check;
  const { user } = check;
  if (input.newEmail === user.email) return { ok: false, field: "email", message: "That is already your address." };
  // Each request mails a stranger's address: a cap keeps the form from being used to flood a mailbox.
  if (!(await takeRateLimit(`change-email:${user.id}`, 5, 3600))) {
    return { ok: false, field: "form", message: "You have asked for several changes already. Wait an hour, then try again." };
  }
  await getDb().transaction(async (tx) => {
    const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.email, input.newEmail));
    if (taken) {
      await enqueueMail(
        {
          to: input.newEmail,
          userId: taken.id,
          subject: "Someone tried to move a Liaison account to your address",
          text: `Someone signed in to another Liaison account asked to change its address to this one. This address already has an account, so nothing was changed.\n\nIf you own both accounts and want to keep only one, sign in to the one you no longer need and delete it: ${origin.link("/account/delete")}\n\nOtherwise you can ignore this mail.`,
        },
        tx,
      );
    } else {
      const token = await issueEmailToken({ userId: user.id, purpose: "change-email", email: input.newEmail }, tx);
      await enqueueMail(
        {
          to: input.newEmail,
          userId: user.id,
          subject: "Confirm your new address for Liaison",
          text: `Hello ${user.name},\n\nTo make this the address of your Liaison account, open this link within 24 hours and confirm:\n\n${origin.link(`/account/email/confirm?token=${token}`)}\n\nIf you did not ask for this, ignore this mail: nothing changes.`,
        },
        tx,
      );
    }
    await enqueueMail(
      {
        to: user.email,
        subject: "A change of address was requested for your Liaison account",
        text: `Hello ${user.name},\n\nSomeone signed in to your Liaison account asked to change its address to ${input.newEmail}. The address changes only once the link sent there is used.\n\nIf this was not you, change your password at once (${origin.link("/account/security")}) and tell the organizers.`,
      },
      tx,
    );
  });
  return { ok: true };
}

export type EmailChangeOutcome = { status: "changed"; email: string } | { status: "invalid" } | { status: "taken" };

function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === "23505") return true;
  }
  return false;
}

/** Uses a change-of-address link: the account takes the new address, which counts as verified. */
export async function confirmEmailChange(token: string, ip: string | null): Promise<EmailChangeOutcome> {
  try {
    return await getDb().transaction(async (tx): Promise<EmailChangeOutcome> => {
      const consumed = await consumeEmailToken(token, "change-email", tx);
      if (!consumed) return { status: "invalid" };
      // Someone may have signed up with the address since the link was sent.
      const [taken] = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.email, consumed.email), ne(users.id, consumed.userId)));
      if (taken) return { status: "taken" };
      const [before] = await tx.select({ email: users.email }).from(users).where(eq(users.id, consumed.userId)).for("update");
      if (!before) return { status: "invalid" };
      await tx
        .update(users)
        .set({ email: consumed.email, emailVerifiedAt: sql`now()`, updatedAt: sql`now()` })
        .where(eq(users.id, consumed.userId));
      await recordAudit(
        { action: "account.email_changed", actorId: consumed.userId, subjectType: "user", subjectId: consumed.userId, ip, details: { from: before.email, to: consumed.email } },
        tx,
      );
      // Links mailed to the old address (a reset, say) must not outlive it.
      await revokeUnusedTokens(consumed.userId, tx);
      return { status: "changed", email: consumed.email };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return { status: "taken" };
    throw error;
  }
}

/** "Firefox on Linux": enough to recognise a device, without the full user-agent string. */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return "Unknown browser";
  const ua = userAgent;
  const browser = /Edg(e|A|iOS)?\//.test(ua)
    ? "Edge"
    : /OPR\/|Opera/.test(ua)
      ? "Opera"
      : /Firefox\/|FxiOS/.test(ua)
        ? "Firefox"
        : /Chrome\/|CriOS/.test(ua)
          ? "Chrome"
          : /Safari\//.test(ua)
            ? "Safari"
            : /^curl\//i.test(ua)
              ? "curl"
              : null;
  const system = /Windows/.test(ua)
    ? "Windows"
    : /iPhone|iPad|iPod/.test(ua)
      ? "iOS"
      : /Android/.test(ua)
        ? "Android"
        : /CrOS/.test(ua)
          ? "ChromeOS"
          : /Mac OS X|Macintosh/.test(ua)
            ? "macOS"
            : /Linux/.test(ua)
              ? "Linux"
              : null;
  if (browser && system) return `${browser} on ${system}`;
  if (browser ?? system) return (browser ?? system)!;
  return ua.length > 40 ? `${ua.slice(0, 40)}…` : ua;
}

/** The account's active sessions for its owner: no ids or hashes leave the server. */
export async function listSessionsForOwner(userId: string, currentSessionId: string) {
  const rows = await listUserSessions(userId);
  return rows.map((row) => ({
    current: row.id === currentSessionId,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    ip: row.ip,
    browser: describeUserAgent(row.userAgent),
  }));
}

/** "Sign out everywhere else": every session of the account but the one asking. */
export async function endOtherSessions(userId: string, currentSessionId: string, ip: string | null): Promise<{ ended: number }> {
  return getDb().transaction(async (tx) => {
    const [counted] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(sessions)
      .where(and(eq(sessions.userId, userId), ne(sessions.id, currentSessionId)));
    const ended = Number(counted?.n ?? 0);
    // A repeated click finds nothing to end and records nothing.
    if (ended === 0) return { ended };
    await invalidateUserSessions(userId, { except: currentSessionId }, tx);
    await recordAudit({ action: "auth.sessions_ended", actorId: userId, subjectType: "user", subjectId: userId, ip, details: { scope: "others", ended } }, tx);
    return { ended };
  });
}

/** Everything held about the account, for its owner to download: every module's part, read in one transaction. */
export async function exportAccount(userId: string, ip: string | null) {
  // Repeatable read: every part sees the same snapshot, not the rows committed between its statements.
  return getDb().transaction(
    async (tx) => {
      const data = await exportAllParts(tx, userId);
      await recordAudit({ action: "account.exported", actorId: userId, subjectType: "user", subjectId: userId, ip }, tx);
      return { exportedAt: new Date(), ...data };
    },
    { isolationLevel: "repeatable read" },
  );
}

async function isLastAdmin(userId: string, tx: Transaction): Promise<boolean> {
  // Locking every admin row makes two admins deleting themselves at once take turns.
  const admins = await tx
    .select({ id: users.id, verified: sql<boolean>`${users.emailVerifiedAt} is not null`, status: users.status })
    .from(users)
    .where(sql`'admin' = any(${users.roles})`)
    .for("update");
  const isAdmin = admins.some((admin) => admin.id === userId);
  const others = admins.filter((admin) => admin.id !== userId && admin.verified && admin.status === "active");
  return isAdmin && others.length === 0;
}

export type DeleteResult = { ok: true } | Refusal<"currentPassword">;

/**
 * Deletes the account. Every module's part erases first, in this transaction (a registration gives up its seat to
 * the waitlist); then what is left goes with the user row (cascades). The audit log has no foreign keys, so the entry
 * recording the deletion stays. `links` builds the absolute links of mail sent to others on the way.
 */
export async function deleteAccount(input: { userId: string; currentPassword: string; ip: string | null; links: EraseContext["links"] }): Promise<DeleteResult> {
  const check = await confirmCurrentPassword(input.userId, input.currentPassword);
  if (!check.ok) return check;
  const { user } = check;
  return getDb().transaction(async (tx): Promise<DeleteResult> => {
    if (await isLastAdmin(user.id, tx)) {
      return {
        ok: false,
        field: "form",
        message: "You are the only administrator. Give another account the admin role before deleting yours, or the site has no one to run it.",
      };
    }
    await eraseAllParts(tx, user.id, { links: input.links });
    await tx.delete(users).where(eq(users.id, user.id));
    await recordAudit({ action: "account.deleted", actorId: user.id, subjectType: "user", subjectId: user.id, ip: input.ip }, tx);
    await enqueueMail(
      {
        to: user.email,
        subject: "Your Liaison account was deleted",
        text: `Hello ${user.name},\n\nYour Liaison account and the data held with it were deleted, as you asked. If this was not you, tell the organizers at once.`,
      },
      tx,
    );
    return { ok: true };
  });
}
