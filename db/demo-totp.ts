import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";

/**
 * The authenticator key of every demo account whose role needs two factors, printed in the README like the demo
 * password: a newcomer can sign in as any role without an authenticator app (`npm run demo:code -- <role>`), or add
 * the key to one. Seeded only where the demo accounts are (SEED_DEMO).
 */
export const DEMO_TOTP_KEY = "LIAISONDEMOTOTPKEYFORSTAFFTRYOUT";

/** The demo roles that need a second factor before their permissions work, and so come enrolled. */
export const DEMO_MFA_ROLES = ["member", "moderator", "organizer", "admin"] as const;
export type DemoMfaRole = (typeof DEMO_MFA_ROLES)[number];

const PERIOD_SECONDS = 30;

export function demoTotpKeyBytes(): Uint8Array {
  return decodeBase32IgnorePadding(DEMO_TOTP_KEY);
}

/**
 * The six-digit code of the demo key at `now`, and at the next step: a code is accepted once per account, so a second
 * sign-in within the same 30 s needs the next one (which the site accepts early, for clock drift).
 */
export function demoTotpCodes(now = Date.now()): { current: string; next: string; secondsLeft: number } {
  const step = Math.floor(now / 1000 / PERIOD_SECONDS);
  const key = demoTotpKeyBytes();
  return {
    current: generateHOTP(key, BigInt(step), 6),
    next: generateHOTP(key, BigInt(step + 1), 6),
    secondsLeft: PERIOD_SECONDS - (Math.floor(now / 1000) % PERIOD_SECONDS),
  };
}
