import { eq } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { users, type User } from "#db/schema/accounts.ts";
import { verifyPassword } from "./passwords.ts";
import { NotFoundError } from "../errors.ts";
import { describeWait, reserveAttempt, settleSuccess, THROTTLE, throttleKey } from "./throttle.ts";

export type PasswordRecheck =
  | { ok: true; user: User }
  | { ok: false; field: "currentPassword"; message: string; throttled: boolean };

/**
 * Checks the password a signed-in user typed to confirm a sensitive change (password, email, MFA, deletion).
 * Wrong guesses are throttled like sign-in, on a counter of their own, so a stolen session cannot be used to
 * guess the password.
 */
export async function confirmCurrentPassword(userId: string, password: string): Promise<PasswordRecheck> {
  const key = throttleKey.reauth(userId);
  const wait = await reserveAttempt([{ key, policy: THROTTLE.code, enforce: true }]);
  if (wait !== null) {
    return { ok: false, field: "currentPassword", message: `Too many wrong passwords. Try again in ${describeWait(wait)}.`, throttled: true };
  }
  const [user] = await getDb().select().from(users).where(eq(users.id, userId));
  if (!user) throw new NotFoundError();
  if (!(await verifyPassword(user.passwordHash, password))) {
    return { ok: false, field: "currentPassword", message: "That password is not correct.", throttled: false };
  }
  await getDb().transaction((tx) => settleSuccess(tx, { clear: [key] }));
  return { ok: true, user };
}
