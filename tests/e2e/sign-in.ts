/**
 * Signing in as a person does it in the browser, and as the README tells a newcomer to sign in to a demo account: the
 * password, then, for the roles with a second factor, the code that `npm run demo:code -- <role>` prints.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import { DEMO_MFA_ROLES } from "#db/demo-totp.ts";
import { DEMO_PASSWORD } from "#db/seed.ts";
import type { Journey } from "./harness.ts";

/** The code an authenticator app shows now for a key as the setup page gives it. */
export function totpNow(key: string): string {
  return generateHOTP(decodeBase32IgnorePadding(key), BigInt(Math.floor(Date.now() / 30_000)), 6);
}

/** The code `npm run demo:code -- <role>` prints on its first line. */
export async function demoCode(role: string): Promise<string> {
  const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "demo:code", "--", role]);
  return stdout.split("\n")[0]!.trim();
}

/** Signs in from /login with an email address and password, and waits to leave the sign-in page. */
export async function signIn({ page, visit, check }: Journey, email: string, password = DEMO_PASSWORD): Promise<void> {
  await visit("/login");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
  await check();
}

/** Signs in as the demo account of `role`, with the code demo:code prints when the role has a second factor. */
export async function signInAsDemo(journey: Journey, role: string): Promise<void> {
  const { page, check } = journey;
  await signIn(journey, `${role}@demo.liaison.test`);
  if (!(DEMO_MFA_ROLES as readonly string[]).includes(role)) return;
  if (new URL(page.url()).pathname !== "/login/mfa") throw new Error(`The ${role} was not asked for a code: ${page.url()}`);
  await page.getByLabel("Authentication code").fill(await demoCode(role));
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForURL((url) => url.pathname !== "/login/mfa");
  await check();
}
