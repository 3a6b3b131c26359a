import { eq } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { users, type User } from "#db/schema/accounts.ts";
import { verifyPassword } from "./passwords.ts";
import { clearFailures, describeWait, recordFailure, secondsUntilAllowed } from "./throttle.ts";

export type PasswordRecheck =
  | { ok: true; user: User }
  | { ok: false; field: "currentPassword"; message: string; throttled: boolean };

/**
 * Checks the password a signed-in user typed to confirm a sensitive change (password, email, MFA, deletion).
 * Wrong guesses are throttled like sign-in, on a counter of their own, so a stolen session cannot be used to
 * guess the password.
 */
export async function confirmCurrentPassword(userId: string, password: string): Promise<PasswordRecheck> {
  const keys = { account: `reauth:${userId}`, address: null };
  const wait = await secondsUntilAllowed(keys);
  if (wait > 0) {
    return { ok: false, field: "currentPassword", message: `Too many wrong passwords. Try again in ${describeWait(wait)}.`, throttled: true };
  }
  const [user] = await getDb().select().from(users).where(eq(users.id, userId));
  if (!user) throw new Response("Not Found", { status: 404 });
  if (!(await verifyPassword(user.passwordHash, password))) {
    await recordFailure(keys);
    return { ok: false, field: "currentPassword", message: "That password is not correct.", throttled: false };
  }
  await clearFailures(keys.account);
  return { ok: true, user };
}
