import { eq } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { recordAudit } from "../audit/log.ts";
import { countRefusal } from "../audit/refusals.ts";
import { sessionCookieFor } from "./cookies.ts";
import { verifyAgainstDummy, verifyPassword } from "./passwords.ts";
import { deriveRoles, isPrivileged } from "./permissions.ts";
import { createSession } from "./sessions.ts";
import { describeWait, hasRecentFailures, reserveAttempt, settleSuccess, THROTTLE, throttleKey, type Reservation } from "./throttle.ts";
import { totpEnrolled } from "./mfa.ts";

export type SignInResult =
  | { ok: true; cookie: string; needsMfa: boolean }
  | { ok: false; reason: "invalid" | "suspended" }
  | { ok: false; reason: "throttled"; message: string };

/**
 * The counters one sign-in attempt reserves. The address's counter refuses only guesses at an unknown account or
 * one that someone is failing at: a correct password of another account from a busy address (a NAT, a proxy
 * without TRUST_PROXY) still signs in, while an address spraying guesses gets one per account before it counts.
 */
function reservations(email: string, ip: string | null, accountKnownAndClean: boolean): Reservation[] {
  const list: Reservation[] = [{ key: throttleKey.account(email), policy: THROTTLE.account, enforce: true }];
  if (ip) {
    list.push({ key: throttleKey.pair(email, ip), policy: THROTTLE.pair, enforce: true });
    list.push({ key: throttleKey.address(ip), policy: THROTTLE.address, enforce: !accountKnownAndClean });
  }
  return list;
}

/** One answer for an unknown address and a wrong password, given in the same time. */
export async function signIn(
  input: { email: string; password: string },
  meta: { ip: string | null; userAgent: string | null },
): Promise<SignInResult> {
  const [user] = await getDb().select().from(users).where(eq(users.email, input.email));
  // Asked for unknown addresses too, so that both take the same statements.
  const failing = await hasRecentFailures(throttleKey.account(input.email));
  const clean = user !== undefined && !failing;
  const wait = await reserveAttempt(reservations(input.email, meta.ip, clean));
  if (wait !== null) {
    await countRefusal("auth.sign_in_throttled", meta.ip);
    return {
      ok: false,
      reason: "throttled",
      message: `Too many failed sign-in attempts. Try again in ${describeWait(wait)}, or reset your password.`,
    };
  }

  // The attempt is already counted as a failure; only a correct password takes it back.
  const passwordOk = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
  if (!user || !passwordOk) {
    await getDb().transaction((tx) =>
      recordAudit({ action: "auth.sign_in_failed", actorId: user?.id ?? null, ip: meta.ip, details: { email: input.email } }, tx),
    );
    return { ok: false, reason: "invalid" };
  }
  if (user.status === "suspended") {
    await getDb().transaction((tx) =>
      recordAudit({ action: "auth.sign_in_failed", actorId: user.id, ip: meta.ip, details: { reason: "suspended" } }, tx),
    );
    return { ok: false, reason: "suspended" };
  }

  const { token, needsMfa } = await getDb().transaction(async (tx) => {
    await settleSuccess(tx, {
      clear: [throttleKey.account(input.email), ...(meta.ip ? [throttleKey.pair(input.email, meta.ip)] : [])],
      giveBack: meta.ip ? [throttleKey.address(meta.ip)] : [],
    });
    const enrolled = await totpEnrolled(user.id, tx);
    const session = await createSession(user.id, { ip: meta.ip, userAgent: meta.userAgent, mfaVerified: false }, tx);
    await recordAudit({ action: "auth.sign_in", actorId: user.id, subjectType: "user", subjectId: user.id, ip: meta.ip, details: { mfaPending: enrolled } }, tx);
    return { token: session.token, needsMfa: enrolled };
  });
  return { ok: true, cookie: sessionCookieFor(token, isPrivileged(deriveRoles(user, new Date()))), needsMfa };
}
