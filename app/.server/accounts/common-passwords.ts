import { dictionary } from "@zxcvbn-ts/language-common";

/**
 * zxcvbn's list of ~49,000 passwords most often seen in breaches, plus words specific to this service
 * (NIST SP 800-63B asks for both).
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  ...(dictionary["passwords-common"] as string[]),
  "liaisonliaison",
  "liaison123456",
  "password1234",
  "conference2026",
  "fentanyl2026",
]);
