import os from "node:os";
import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import { PASSWORD_MAX, PASSWORD_MIN } from "#app/shared/password-rules.ts";
import { COMMON_PASSWORDS } from "./common-passwords.ts";
import { Semaphore, type SemaphoreStats } from "./semaphore.ts";

// OWASP's argon2id baseline (19 MiB, 2 iterations); the library's default algorithm is argon2id.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export { PASSWORD_MAX, PASSWORD_MIN };

/**
 * Every argon2 hash or verification of this process waits for one of a few slots. Each costs about 19 MiB and a
 * core for tens of milliseconds; unbounded, a burst of sign-ins or resets starves every other request of CPU.
 * The bound is per process on purpose: it protects this process's cores and memory, which is all it can see, so
 * several instances each keep their own (guesses are limited across instances by the throttle in Postgres).
 */
const HASH_SLOTS = new Semaphore(Math.max(1, Math.min(2, os.availableParallelism() - 1)));

export function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  return HASH_SLOTS.run(work);
}

/** The slots of the process: how many hashes run and wait now, and the most that ever did. */
export function hashSlots(): SemaphoreStats {
  return HASH_SLOTS.stats();
}

/** NIST SP 800-63B: length, not composition; and not a known common or breached password. */
export const NewPasswordSchema = z
  .string({ error: "Enter a password." })
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters.`)
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters.`)
  .refine((value) => !isCommonPassword(value), "This password is too common or has appeared in a breach; choose another.");

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

export function hashPassword(password: string): Promise<string> {
  return withHashSlot(() => hash(password, OPTIONS));
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await withHashSlot(() => verify(passwordHash, password));
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** Spends the time of a real verification, so that an unknown email answers as slowly as a wrong password. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword("liaison-dummy-password-for-timing");
  await verifyPassword(await dummyHash, password);
  return false;
}
