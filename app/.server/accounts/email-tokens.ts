import { and, eq, isNull, sql } from "drizzle-orm";
import { getDb, type Transaction } from "#db/client.ts";
import { users, userTokens, type TokenPurpose } from "#db/schema/accounts.ts";
import { generateToken, hashToken } from "./tokens.ts";

const LIFETIME_SECONDS: Record<TokenPurpose, number> = {
  "verify-email": 48 * 3600,
  "change-email": 24 * 3600,
  "reset-password": 3600,
  "verify-official-email": 48 * 3600,
};

/**
 * Issues a single-use link token; an unused older token of the same purpose stops working. Requests for one account
 * take turns on its row, so of several at once only the last link works (a unique index on unused tokens per
 * purpose backs this up).
 */
export async function issueEmailToken(
  input: { userId: string; purpose: TokenPurpose; email: string; subjectId?: string },
  tx: Transaction,
): Promise<string> {
  const token = generateToken();
  await tx.select({ id: users.id }).from(users).where(eq(users.id, input.userId)).for("no key update");
  await tx
    .delete(userTokens)
    .where(and(eq(userTokens.userId, input.userId), eq(userTokens.purpose, input.purpose), isNull(userTokens.usedAt)));
  await tx.insert(userTokens).values({
    userId: input.userId,
    purpose: input.purpose,
    email: input.email,
    subjectId: input.subjectId ?? null,
    tokenHash: hashToken(token),
    expiresAt: sql`now() + make_interval(secs => ${LIFETIME_SECONDS[input.purpose]})`,
  });
  return token;
}

function usable(token: string, purpose: TokenPurpose) {
  return and(
    eq(userTokens.tokenHash, hashToken(token)),
    eq(userTokens.purpose, purpose),
    isNull(userTokens.usedAt),
    sql`${userTokens.expiresAt} > now()`,
  );
}

/**
 * Cancels every link still out for the account. A password reset, a password change or a suspension ends what
 * a thief may hold: sessions, and links such as a pending change of address they asked for.
 */
export async function revokeUnusedTokens(userId: string, tx: Transaction): Promise<void> {
  await tx.delete(userTokens).where(and(eq(userTokens.userId, userId), isNull(userTokens.usedAt)));
}

export type ConsumedToken = { userId: string; email: string; subjectId: string | null };

/** Uses a token up, atomically: of two requests with the same link, one wins and the other gets null. */
export async function consumeEmailToken(token: string, purpose: TokenPurpose, tx: Transaction): Promise<ConsumedToken | null> {
  const [row] = await tx
    .update(userTokens)
    .set({ usedAt: sql`now()` })
    .where(usable(token, purpose))
    .returning({ userId: userTokens.userId, email: userTokens.email, subjectId: userTokens.subjectId });
  return row ?? null;
}

/** Whether a token is still usable, without using it (for the page that shows the confirm button). */
export async function peekEmailToken(token: string, purpose: TokenPurpose): Promise<ConsumedToken | null> {
  const [row] = await getDb()
    .select({ userId: userTokens.userId, email: userTokens.email, subjectId: userTokens.subjectId })
    .from(userTokens)
    .where(usable(token, purpose));
  return row ?? null;
}
