/**
 * The accounts journey in Chromium: sign up, verify the address from the mail the organizer can read in the
 * outbox, apply for vetting, get approved, set up two-factor authentication and reach the discussion board.
 */
import crypto from "node:crypto";
import type { Page } from "playwright-core";
import { expect } from "vitest";
import { signIn, signInAsDemo, totpNow } from "./sign-in.ts";
import { newJourneyPage, openBrowser, setupPortal, type Journey } from "./harness.ts";

const portal = setupPortal();

/**
 * On /account/mfa: reads the key as a person would type it from the page, types the current code and the password,
 * and returns the recovery codes the page then shows.
 */
async function enrolTotp({ page, check }: Journey, password: string): Promise<string[]> {
  const keyText = await page.locator("p", { hasText: "Enter this key by hand" }).locator("code").textContent();
  const key = (keyText ?? "").replace(/\s+/g, "");
  expect(key).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel("Code from your app").fill(totpNow(key));
  await page.getByLabel("Current password").fill(password);
  await page.getByRole("button", { name: "Turn on two-factor authentication" }).click();
  await page.getByRole("heading", { name: "Your recovery codes" }).waitFor();
  await check();
  return page.locator("ul.codes li").allTextContents();
}

async function heading(page: Page): Promise<string> {
  return ((await page.getByRole("heading", { level: 1 }).textContent()) ?? "").trim();
}

portal.journey(
  "a new user signs up, is vetted, sets up two-factor authentication and reaches the discussion board",
  async (user) => {
    const { page, visit, check } = user;
    const suffix = crypto.randomBytes(4).toString("hex");
    const email = `nora.${suffix}@example.org`;
    const password = "a long passphrase for the journey";

    await visit("/signup");
    await page.getByLabel("Full name").fill("Nora Newcomer");
    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Agency or organization").fill("Customs and Border Protection");
    await page.getByLabel("Job title").fill("Targeting Analyst");
    await page.getByLabel("Country").selectOption({ label: "Canada" });
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL("**/verify-email");
    await check();
    expect(await heading(page)).toBe("Check your inbox");
    expect(await page.getByRole("status").textContent()).toContain("We sent a verification link");

    // The demo organizer, in a browser of their own, reads the mail in the outbox (no SMTP server is configured).
    const organizerBrowser = await openBrowser(portal.url);
    try {
      const organizer = await newJourneyPage(organizerBrowser.context, portal.portal);
      const org = organizer.page;
      // The demo organizer comes enrolled in two-factor authentication with the demo key.
      await signInAsDemo(organizer, "organizer");

      await organizer.visit("/admin/outbox");
      expect(await heading(org)).toBe("Mail outbox");

      const newest = org.locator("tbody tr", { has: org.locator("td", { hasText: email }) }).first();
      await newest.getByText("Message", { exact: true }).click();
      const body = (await newest.locator("pre").textContent()) ?? "";
      const link = /https?:\/\/\S+\/verify-email\?token=[a-z2-7]+/.exec(body)?.[0];
      expect(link, `a verification link in:\n${body}`).toBeDefined();
      expect(new URL(link!).origin).toBe(portal.url);

      await visit(link!);
      expect(await heading(page)).toBe("Verify your email address");
      await page.getByRole("button", { name: "Verify my address" }).click();
      await page.waitForURL("**/login");
      await check();
      expect(await page.getByRole("status").textContent()).toBe("Your email address is verified. Sign in to continue.");
      await signIn(user, email, password);
      expect(new URL(page.url()).pathname).toBe("/account");

      await visit("/vetting");
      await page.getByLabel("Official email address").fill(`nora.${suffix}@cbp.dhs.gov`);
      await page.getByLabel("Supervisor or sponsor: name").fill("Sam Supervisor");
      await page.getByLabel("Supervisor or sponsor: email address").fill(`sam.${suffix}@cbp.dhs.gov`);
      await page.getByLabel("Why do you want to join?").fill("I target parcels carrying pill-press parts and work with partner agencies abroad.");
      await page.getByRole("button", { name: "Send my application" }).click();
      await page.getByRole("status").filter({ hasText: "Your application is in." }).waitFor();
      await check();

      await organizer.visit("/admin/vetting");
      await org.getByRole("link", { name: "Nora Newcomer" }).click();
      await org.waitForURL(/\/admin\/vetting\/[0-9a-f-]{36}$/);
      await organizer.check();
      // Approving takes a second, deliberate click.
      await org.locator("summary", { hasText: "Approve" }).click();
      await org.getByRole("button", { name: "Yes, approve the application" }).click();
      await org.getByRole("status").filter({ hasText: "Approved: the applicant is a member now" }).waitFor();
      await organizer.check();
      expect(await org.getByText("Approved: the applicant is a member now").count()).toBe(1);

      expect(organizer.consoleErrors).toEqual([]);
      expect(organizer.uncheckedPages()).toEqual([]);
      await org.close();
    } finally {
      await organizerBrowser.close();
    }

    // Now a member: the discussion board asks for a second factor first.
    await visit("/forum");
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe("/account/mfa?required=1&redirectTo=%2Fforum");
    const codes = await enrolTotp(user, password);
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    await page.getByRole("link", { name: "Continue" }).click();
    await page.waitForURL("**/forum");
    await check();
    expect(await heading(page)).toBe("Discussion board");
  },
  { timeout: 240_000 },
);

portal.journey(
  "an attendee who is not vetted is told what the discussion board is and how to get in",
  async (attendee) => {
    const { page, visit } = attendee;
    await signIn(attendee, "attendee@demo.liaison.test");
    await visit("/forum", { status: 403 });
    expect(await heading(page)).toBe("For vetted members");
    expect(await page.title()).toBe("For vetted members · Liaison");
    expect(await page.getByRole("link", { name: /Apply for vetting|See your application/ }).count()).toBe(1);
  },
  // Chromium reports every 4xx document on the console.
  { allowConsoleErrors: [/status of 403/] },
);
