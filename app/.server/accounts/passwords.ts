import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";
import { PASSWORD_MAX, PASSWORD_MIN } from "#app/shared/password-rules.ts";
import { COMMON_PASSWORDS } from "./common-passwords.ts";

// OWASP's argon2id baseline (19 MiB, 2 iterations); the library's default algorithm is argon2id.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export { PASSWORD_MAX, PASSWORD_MIN };

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
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
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
