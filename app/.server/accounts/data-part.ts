import { asc, eq, sql } from "drizzle-orm";
import { recoveryCodes, sessions, totpCredentials, users, userTokens } from "#db/schema/accounts.ts";
import { dataPart } from "../data-rights/part.ts";
import { NotFoundError } from "../errors.ts";
import { deriveRoles } from "./permissions.ts";

/** The account itself: never keys, hashes, tokens or session ids. Credentials and sessions go with the user row. */
export const accountsDataPart = dataPart({
  name: "accounts",
  tables: [users, sessions, userTokens, totpCredentials, recoveryCodes],
  async export(tx, userId) {
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (!user) throw new NotFoundError();
    const [totp] = await tx.select({ createdAt: totpCredentials.createdAt }).from(totpCredentials).where(eq(totpCredentials.userId, userId));
    const [codes] = await tx
      .select({ left: sql<number>`count(*) filter (where ${recoveryCodes.usedAt} is null)::int` })
      .from(recoveryCodes)
      .where(eq(recoveryCodes.userId, userId));
    const sessionRows = await tx
      .select({ createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, mfaVerifiedAt: sessions.mfaVerifiedAt, ip: sessions.ip, userAgent: sessions.userAgent })
      .from(sessions)
      .where(eq(sessions.userId, userId))
      .orderBy(asc(sessions.createdAt));
    return {
      profile: {
        id: user.id,
        email: user.email,
        emailVerifiedAt: user.emailVerifiedAt,
        name: user.name,
        agency: user.agency,
        jobTitle: user.jobTitle,
        country: user.country,
        status: user.status,
        suspendedReason: user.suspendedReason,
        memberUntil: user.memberUntil,
        membershipReminderSentAt: user.membershipReminderSentAt,
        createdAt: user.createdAt,
        updatedAt: user.updatedAt,
      },
      roles: { granted: user.roles, effective: deriveRoles(user, new Date()) },
      mfa: { enrolled: totp !== undefined, enrolledAt: totp?.createdAt ?? null, recoveryCodesLeft: Number(codes?.left ?? 0) },
      sessions: sessionRows,
    };
  },
});
