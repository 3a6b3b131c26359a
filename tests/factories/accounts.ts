import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { users, type GrantedRole, type TokenPurpose, type User } from "#db/schema/accounts.ts";
import { consumeEmailToken, issueEmailToken } from "#app/.server/accounts/email-tokens.ts";
import { hashPassword } from "#app/.server/accounts/passwords.ts";
import { createSession } from "#app/.server/accounts/sessions.ts";

export const FACTORY_PASSWORD = "correct horse battery staple";

type Trait = "verified" | "member" | "suspended";

let passwordHash: Promise<string> | undefined;

/** A user with the given traits; every user shares FACTORY_PASSWORD unless one is given. */
export async function createUser(
  options: { traits?: Trait[]; roles?: GrantedRole[]; email?: string; password?: string; name?: string } = {},
): Promise<User> {
  const traits = new Set(options.traits ?? ["verified"]);
  const hash = options.password ? hashPassword(options.password) : (passwordHash ??= hashPassword(FACTORY_PASSWORD));
  const [user] = await getDb()
    .insert(users)
    .values({
      email: options.email ?? `user-${crypto.randomBytes(5).toString("hex")}@agency.example`,
      passwordHash: await hash,
      name: options.name ?? "Test User",
      agency: "Test Agency",
      jobTitle: "Officer",
      country: "US",
      roles: options.roles ?? [],
      emailVerifiedAt: traits.has("verified") ? sql`now()` : null,
      memberUntil: traits.has("member") ? sql`now() + interval '365 days'` : null,
      status: traits.has("suspended") ? "suspended" : "active",
    })
    .returning();
  return user!;
}

/** A session for the user, as sign-in (and, with mfaVerified, the second factor) would leave it. */
export async function createUserSession(userId: string, options: { mfaVerified?: boolean } = {}) {
  return getDb().transaction((tx) => createSession(userId, { ip: "127.0.0.1", userAgent: "vitest", mfaVerified: options.mfaVerified ?? false }, tx));
}

/** A mailed link of the account, as the flows that send one issue it. */
export async function issueLink(input: { userId: string; purpose: TokenPurpose; email: string; subjectId?: string }): Promise<string> {
  return getDb().transaction((tx) => issueEmailToken(input, tx));
}

/** Uses a link up, as the page that receives it would. */
export async function consumeLink(token: string, purpose: TokenPurpose) {
  return getDb().transaction((tx) => consumeEmailToken(token, purpose, tx));
}
