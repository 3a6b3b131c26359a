import { inArray, sql } from "drizzle-orm";
import { getDb, type Transaction } from "#db/client.ts";
import { authThrottle } from "#db/schema/throttle.ts";

/**
 * Throttling of guesses (passwords, second-factor codes), in Postgres so that every instance sees the same counts.
 *
 * An attempt is reserved before the guess is checked: one statement per counter adds the attempt and sets the lock
 * it earns, and a counter that is already locked refuses it without counting it. A parallel burst therefore gets
 * exactly as many checks as the free failures allow, and refused attempts never fill the 30-day cap. A correct
 * guess then takes its reservation back (`settleSuccess`).
 */
export type ThrottlePolicy = {
  freeFailures: number;
  baseLockSeconds: number;
  maxLockSeconds: number;
  /** Failures in the window after which only a password reset opens the counter again; null for none. */
  cap: number | null;
};

export const THROTTLE = {
  /** One address guessing one account: the counter that slows a single attacker down. */
  pair: { freeFailures: 5, baseLockSeconds: 60, maxLockSeconds: 3600, cap: null },
  /** One account guessed from anywhere: slows a spread-out attack; 100 failures in 30 days need a reset (NIST SP 800-63B). */
  account: { freeFailures: 10, baseLockSeconds: 60, maxLockSeconds: 3600, cap: 100 },
  /** One address trying many accounts; it refuses only guesses at unknown or failing accounts (see sign-in.ts). */
  address: { freeFailures: 20, baseLockSeconds: 60, maxLockSeconds: 3600, cap: null },
  /** Second-factor codes and password re-checks of one signed-in account. */
  code: { freeFailures: 5, baseLockSeconds: 60, maxLockSeconds: 3600, cap: null },
  windowDays: 30,
} as const satisfies Record<string, ThrottlePolicy | number>;

export type Reservation = {
  key: string;
  policy: ThrottlePolicy;
  /** false: the attempt is counted but a lock on this counter does not refuse it. */
  enforce: boolean;
};

export const throttleKey = {
  account: (email: string) => `account:${email.toLowerCase()}`,
  pair: (email: string, ip: string) => `pair:${email.toLowerCase()}|${ip}`,
  address: (ip: string) => `address:${ip}`,
  secondFactor: (userId: string) => `mfa:${userId}`,
  reauth: (userId: string) => `reauth:${userId}`,
};

class Refused extends Error {}

/**
 * Counts one attempt on every counter, all or none: null when the attempt may go ahead, or the seconds to wait
 * when an enforced counter is locked (then nothing is counted). Counters are taken in key order, so two bursts
 * on overlapping counters cannot deadlock.
 */
export async function reserveAttempt(reservations: Reservation[]): Promise<number | null> {
  const ordered = [...reservations].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  try {
    await getDb().transaction(async (tx) => {
      for (const reservation of ordered) {
        if (!(await reserveOne(tx, reservation))) throw new Refused();
      }
    });
    return null;
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
  }
  const wait = await secondsUntilAllowed(ordered.filter((r) => r.enforce).map((r) => r.key));
  // Unlocked between the refusal and this read: still refused this time, and told to try again at once.
  return Math.max(1, wait);
}

async function reserveOne(tx: Transaction, { key, policy, enforce }: Reservation): Promise<boolean> {
  const stale = sql`t.first_failure_at < now() - make_interval(days => ${THROTTLE.windowDays})`;
  const failures = sql`(case when ${stale} then 1 else t.failures + 1 end)`;
  const firstFailure = sql`(case when ${stale} then now() else t.first_failure_at end)`;
  const capped = policy.cap === null ? sql`false` : sql`${failures} >= ${policy.cap}`;
  const lock = sql`case
      when ${capped} then ${firstFailure} + make_interval(days => ${THROTTLE.windowDays})
      when ${failures} >= ${policy.freeFailures} then greatest(coalesce(t.locked_until, now()), now() + make_interval(secs =>
        least(${policy.baseLockSeconds}::float8 * power(2, least(${failures} - ${policy.freeFailures}, 30)), ${policy.maxLockSeconds})))
      else t.locked_until end`;
  const firstLock = policy.freeFailures <= 1 ? sql`now() + make_interval(secs => ${policy.baseLockSeconds})` : sql`null::timestamptz`;
  const rows = await tx.execute(sql`
    insert into auth_throttle as t (key, failures, first_failure_at, last_failure_at, locked_until)
    values (${key}, 1, now(), now(), ${firstLock})
    on conflict (key) do update set
      failures = ${failures}, first_failure_at = ${firstFailure}, last_failure_at = now(), locked_until = ${lock}
    ${enforce ? sql`where t.locked_until is null or t.locked_until <= now()` : sql``}
    returning 1 as counted`);
  return resultRows(rows).length === 1;
}

function resultRows(result: unknown): unknown[] {
  return Array.isArray(result) ? result : ((result as { rows: unknown[] }).rows ?? []);
}

/** Seconds until every one of the counters allows an attempt, or 0. */
export async function secondsUntilAllowed(keys: string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const rows = await getDb()
    .select({ wait: sql<number>`greatest(0, ceil(extract(epoch from (${authThrottle.lockedUntil} - now()))))::int` })
    .from(authThrottle)
    .where(inArray(authThrottle.key, keys));
  return Math.max(0, ...rows.map((row) => Number(row.wait ?? 0)));
}

/** Whether the counter holds failures from the current window (an account that someone is guessing at). */
export async function hasRecentFailures(key: string): Promise<boolean> {
  const rows = await getDb()
    .select({ key: authThrottle.key })
    .from(authThrottle)
    .where(sql`${authThrottle.key} = ${key} and ${authThrottle.failures} > 0 and ${authThrottle.firstFailureAt} >= now() - make_interval(days => ${THROTTLE.windowDays})`);
  return rows.length === 1;
}

/**
 * A correct guess: its reservation was no failure. Counters of the one who proved themselves are cleared; shared
 * counters (the address) only give the one attempt back.
 */
export async function settleSuccess(tx: Transaction, input: { clear: string[]; giveBack?: string[] }): Promise<void> {
  if (input.clear.length > 0) await tx.delete(authThrottle).where(inArray(authThrottle.key, input.clear));
  if (input.giveBack && input.giveBack.length > 0) {
    await tx
      .update(authThrottle)
      .set({ failures: sql`greatest(${authThrottle.failures} - 1, 0)` })
      .where(inArray(authThrottle.key, input.giveBack));
  }
}

/** A password reset opens the account: its own counter and every (account, address) pair of it. */
export async function clearAccountFailures(tx: Transaction, email: string): Promise<void> {
  const account = throttleKey.account(email);
  await tx.delete(authThrottle).where(sql`${authThrottle.key} = ${account} or starts_with(${authThrottle.key}, ${`pair:${email.toLowerCase()}|`})`);
}

export async function clearFailures(tx: Transaction, key: string): Promise<void> {
  await tx.delete(authThrottle).where(inArray(authThrottle.key, [key]));
}

export function describeWait(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))} seconds`;
  if (seconds < 90 * 60) return `${Math.ceil(seconds / 60)} minutes`;
  if (seconds < 48 * 3600) return `${Math.ceil(seconds / 3600)} hours`;
  return `${Math.ceil(seconds / 86400)} days`;
}

/**
 * Fixed-window counter for actions such as sign-up or posting: true while under the limit. It commits on its own,
 * so an attempt counts even when the action it guards fails.
 */
export async function takeRateLimit(key: string, limit: number, windowSeconds: number): Promise<boolean> {
  const rows = await getDb().execute(sql`
    insert into rate_limits as r (key, window_start, count)
    values (${key}, to_timestamp(floor(extract(epoch from now()) / ${windowSeconds}) * ${windowSeconds}), 1)
    on conflict (key, window_start) do update set count = r.count + 1
    returning count`);
  const [row] = resultRows(rows) as { count: number }[];
  return Number(row?.count ?? 1) <= limit;
}
