import { eq } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { recordAudit } from "../audit/log.ts";
import { sessionCookieFor } from "./cookies.ts";
import { verifyAgainstDummy, verifyPassword } from "./passwords.ts";
import { deriveRoles, isPrivileged } from "./permissions.ts";
import { createSession } from "./sessions.ts";
import { clearAccountFailures, describeWait, recordFailure, secondsUntilAllowed, throttleKeys } from "./throttle.ts";
import { totpEnrolled } from "./mfa.ts";

export type SignInResult =
  | { ok: true; cookie: string; needsMfa: boolean }
  | { ok: false; reason: "invalid" | "suspended" }
  | { ok: false; reason: "throttled"; message: string };

/** One answer for an unknown address and a wrong password, given in the same time. */
export async function signIn(
  input: { email: string; password: string },
  meta: { ip: string | null; userAgent: string | null },
): Promise<SignInResult> {
  const keys = throttleKeys(input.email, meta.ip);
  const wait = await secondsUntilAllowed(keys);
  if (wait > 0) {
    await recordAudit({ action: "auth.sign_in_throttled", ip: meta.ip, details: { email: input.email } });
    return {
      ok: false,
      reason: "throttled",
      message: `Too many failed sign-in attempts. Try again in ${describeWait(wait)}, or reset your password.`,
    };
  }

  const [user] = await getDb().select().from(users).where(eq(users.email, input.email));
  const passwordOk = user ? await verifyPassword(user.passwordHash, input.password) : await verifyAgainstDummy(input.password);
  if (!user || !passwordOk) {
    await recordFailure(keys);
    await recordAudit({ action: "auth.sign_in_failed", actorId: user?.id ?? null, ip: meta.ip, details: { email: input.email } });
    return { ok: false, reason: "invalid" };
  }
  if (user.status === "suspended") {
    await recordAudit({ action: "auth.sign_in_failed", actorId: user.id, ip: meta.ip, details: { reason: "suspended" } });
    return { ok: false, reason: "suspended" };
  }

  const needsMfa = await totpEnrolled(user.id);
  const { token } = await getDb().transaction(async (tx) => {
    await clearAccountFailures(input.email, tx);
    const session = await createSession(user.id, { ip: meta.ip, userAgent: meta.userAgent, mfaVerified: false }, tx);
    await recordAudit({ action: "auth.sign_in", actorId: user.id, subjectType: "user", subjectId: user.id, ip: meta.ip, details: { mfaPending: needsMfa } }, tx);
    return session;
  });
  return { ok: true, cookie: sessionCookieFor(token, isPrivileged(deriveRoles(user, new Date()))), needsMfa };
}
