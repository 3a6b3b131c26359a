import { eq, inArray, sql } from "drizzle-orm";
import { database, getDb, type Executor } from "#db/client.ts";
import { authThrottle } from "#db/schema/throttle.ts";

/**
 * Sign-in throttling, per account and per client address, in Postgres so that every instance sees the same
 * counts. Failures slow an account down exponentially after a few tries; at most 100 failures count in 30 days
 * (NIST SP 800-63B), after which only a password reset opens the account again, so no attacker can lock the
 * real user out for good.
 */
export const THROTTLE = {
  account: { freeFailures: 5, baseLockSeconds: 60, maxLockSeconds: 3600, cap: 100 },
  address: { freeFailures: 20, baseLockSeconds: 60, maxLockSeconds: 3600, cap: Number.POSITIVE_INFINITY },
  windowDays: 30,
} as const;

export type ThrottleKeys = { account: string; address: string | null };

export function throttleKeys(email: string, ip: string | null): ThrottleKeys {
  return { account: `account:${email.toLowerCase()}`, address: ip ? `address:${ip}` : null };
}

/** Seconds until the next attempt is allowed, or 0. */
export async function secondsUntilAllowed(keys: ThrottleKeys): Promise<number> {
  const list = [keys.account, ...(keys.address ? [keys.address] : [])];
  const rows = await getDb()
    .select({ wait: sql<number>`greatest(0, ceil(extract(epoch from (${authThrottle.lockedUntil} - now()))))::int` })
    .from(authThrottle)
    .where(inArray(authThrottle.key, list));
  return Math.max(0, ...rows.map((row) => Number(row.wait ?? 0)));
}

function lockSeconds(failures: number, policy: (typeof THROTTLE)["account" | "address"]): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.baseLockSeconds * 2 ** (failures - policy.freeFailures), policy.maxLockSeconds);
}

async function recordOne(key: string, policy: (typeof THROTTLE)["account" | "address"]): Promise<void> {
  const [row] = await database().rows<{ failures: number }>(sql`
    insert into auth_throttle as t (key, failures, first_failure_at, last_failure_at)
    values (${key}, 1, now(), now())
    on conflict (key) do update set
      failures = case when t.first_failure_at < now() - make_interval(days => ${THROTTLE.windowDays}) then 1 else t.failures + 1 end,
      first_failure_at = case when t.first_failure_at < now() - make_interval(days => ${THROTTLE.windowDays}) then now() else t.first_failure_at end,
      last_failure_at = now()
    returning failures`);
  const failures = Number(row?.failures ?? 1);
  if (failures >= policy.cap) {
    await getDb()
      .update(authThrottle)
      .set({ lockedUntil: sql`${authThrottle.firstFailureAt} + make_interval(days => ${THROTTLE.windowDays})` })
      .where(eq(authThrottle.key, key));
    return;
  }
  const seconds = lockSeconds(failures, policy);
  if (seconds > 0) {
    await getDb()
      .update(authThrottle)
      .set({ lockedUntil: sql`greatest(coalesce(${authThrottle.lockedUntil}, now()), now() + make_interval(secs => ${seconds}))` })
      .where(eq(authThrottle.key, key));
  }
}

export async function recordFailure(keys: ThrottleKeys): Promise<void> {
  await recordOne(keys.account, THROTTLE.account);
  if (keys.address) await recordOne(keys.address, THROTTLE.address);
}

/** A successful sign-in or a password reset clears the account's count (never the address's). */
export async function clearAccountFailures(email: string, tx: Executor = getDb()): Promise<void> {
  await clearFailures(throttleKeys(email, null).account, tx);
}

export async function clearFailures(key: string, tx: Executor = getDb()): Promise<void> {
  await tx.delete(authThrottle).where(eq(authThrottle.key, key));
}

export function describeWait(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))} seconds`;
  if (seconds < 90 * 60) return `${Math.ceil(seconds / 60)} minutes`;
  if (seconds < 48 * 3600) return `${Math.ceil(seconds / 3600)} hours`;
  return `${Math.ceil(seconds / 86400)} days`;
}

/** Fixed-window counter for actions such as sign-up or posting: true while under the limit. */
export async function takeRateLimit(key: string, limit: number, windowSeconds: number): Promise<boolean> {
  const [row] = await database().rows<{ count: number }>(sql`
    insert into rate_limits as r (key, window_start, count)
    values (${key}, to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}) * ${windowSeconds}), 1)
    on conflict (key, window_start) do update set count = r.count + 1
    returning count`);
  return Number(row?.count ?? 1) <= limit;
}
