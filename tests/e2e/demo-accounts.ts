/**
 * Signing in as a demo account the way the README tells a newcomer to: the password, then, for the roles with a second
 * factor, the code that `npm run demo:code -- <role>` prints.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { DEMO_MFA_ROLES } from "#db/demo-totp.ts";
import { DEMO_PASSWORD } from "#db/seed.ts";
import type { Journey } from "./harness.ts";

/** The code `npm run demo:code -- <role>` prints on its first line. */
export async function demoCode(role: string): Promise<string> {
  const { stdout } = await promisify(execFile)("npm", ["run", "--silent", "demo:code", "--", role]);
  return stdout.split("\n")[0]!.trim();
}

/** Signs in from /login as the demo account of `role` and waits until the sign-in is complete. */
export async function signInAsDemo({ page, visit, check }: Journey, role: string): Promise<void> {
  await visit("/login");
  await page.getByLabel("Email address").fill(`${role}@demo.liaison.test`);
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
  await check();
  if (!(DEMO_MFA_ROLES as readonly string[]).includes(role)) return;
  if (new URL(page.url()).pathname !== "/login/mfa") throw new Error(`The ${role} was not asked for a code: ${page.url()}`);
  await page.getByLabel("Authentication code").fill(await demoCode(role));
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForURL((url) => url.pathname !== "/login/mfa");
  await check();
}
