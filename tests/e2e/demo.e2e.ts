/**
 * What a newcomer does after `npm start`, in Chromium: reads the terminal, signs in as the organizer with the code
 * `npm run demo:code` prints, signs up and verifies the address from the mail printed on the console, and sets up a
 * second factor on one phone (the otpauth:// link, copying the key, keeping the recovery codes).
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { expect } from "vitest";
import { waitForOutput } from "#tests/support/server-process.ts";
import { signIn, signInAsDemo, totpNow } from "./sign-in.ts";
import { setupPortal } from "./harness.ts";

const portal = setupPortal({ env: { LOG_LEVEL: "info" } });

const DEMO_EMAILS = ["unverified", "attendee", "speaker", "member", "moderator", "organizer", "admin"].map((role) => `${role}@demo.liaison.test`);

/** Waits for the server's console to show `pattern`, and returns the match. */
async function fromConsole(pattern: RegExp): Promise<RegExpExecArray> {
  await waitForOutput(portal.portal.server, pattern, 30_000);
  return pattern.exec(portal.portal.server.output())!;
}

portal.journey("the terminal shows the address and the demo accounts once, then short lines, no JSON", async ({ visit }) => {
  // The home page comes from the render cache, before the request log; the sign-in page does not.
  await visit("/login");
  await fromConsole(/\d\d:\d\d:\d\d GET \/login 200 [\d.]+ ms/);
  const output = portal.portal.server.output();
  expect(output).toContain(`Liaison is listening on http://localhost:${portal.portal.server.port} (Ctrl-C stops it)`);
  for (const email of DEMO_EMAILS) expect(output.split(email)).toHaveLength(2);
  expect(output).toContain("npm run demo:code -- organizer");
  expect(output.split("\n").filter((line) => line.trimStart().startsWith("{"))).toEqual([]);
});

portal.journey("the organizer signs in with the code demo:code prints and reads the outbox", async (journey) => {
  const { page, visit } = journey;
  await signInAsDemo(journey, "organizer");
  await visit("/admin/outbox");
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Mail outbox");
});

portal.journey(
  "a newcomer verifies their address from the console and sets up two factors on one phone",
  async (journey) => {
    const { page, visit, check } = journey;
    const email = `nora.${crypto.randomBytes(4).toString("hex")}@example.org`;
    const password = "a long passphrase for the demo journey";
    await visit("/signup");
    await page.getByLabel("Full name").fill("Nora Newcomer");
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Agency or organization").fill("Customs and Border Protection");
    await page.getByLabel("Job title").fill("Targeting Analyst");
    await page.getByLabel("Country").selectOption({ label: "Canada" });
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL((url) => url.pathname === "/verify-email");
    await page.getByRole("status").filter({ hasText: "We sent a verification link" }).waitFor();
    await check();

    const mail = await fromConsole(new RegExp(`Mail to ${email.replace(/\./g, "\\.")}\\nSubject: [^\\n]+\\n\\n[\\s\\S]*?(http://\\S+/verify-email\\?token=[a-z2-7]+)`));
    await visit(mail[1]!);
    await page.getByRole("button", { name: "Verify my address" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await page.getByRole("status").filter({ hasText: "Your email address is verified. Sign in to continue." }).waitFor();
    await check();
    await signIn(journey, email, password);
    expect(new URL(page.url()).pathname).toBe("/account");

    await portal.context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await visit("/account/mfa");
    const link = page.getByRole("link", { name: "Add Liaison to your authenticator app" });
    const uri = new URL((await link.getAttribute("href")) ?? "");
    expect(uri.protocol).toBe("otpauth:");
    const key = uri.searchParams.get("secret") ?? "";
    expect(((await page.locator(".totp-key").textContent()) ?? "").replace(/\s+/g, "")).toBe(key);
    await page.getByRole("button", { name: "Copy the key" }).click();
    await page.getByRole("status").filter({ hasText: "Copied." }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

    await page.getByLabel("Code from your app").fill(totpNow(key));
    await page.getByLabel("Current password").fill(password);
    await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await page.getByRole("heading", { name: "Your recovery codes" }).waitFor();
    await check();
    const codes = await page.locator("ul.codes li").allTextContents();
    expect(codes).toHaveLength(10);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download the codes (.txt)" }).click()]);
    expect(download.suggestedFilename()).toBe("liaison-recovery-codes.txt");
    const text = fs.readFileSync((await download.path())!, "utf8");
    for (const code of codes) expect(text).toContain(code);
    expect(text).toContain(email);

    await page.getByRole("button", { name: "Copy the codes" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codes.join("\n"));
    expect(await page.getByRole("button", { name: "Print the codes" }).count()).toBe(1);
  },
  { timeout: 180_000 },
);
