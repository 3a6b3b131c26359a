/**
 * Forms as a keyboard and screen-reader user meets them, on a phone (390 px) and a laptop (1280 px): after a refused
 * submit, focus lands on the error summary at the top, whose links take focus to the fields; a success notice is
 * announced; consequential actions ask for a second click. Every page is checked with axe.
 */
import { expect } from "vitest";
import { newJourneyPage, openBrowser, setupPortal, type Journey } from "./harness.ts";

const portal = setupPortal();

const VIEWPORTS = [
  { name: "a phone", viewport: { width: 390, height: 844 } },
  { name: "a laptop", viewport: { width: 1280, height: 800 } },
] as const;

for (const { name, viewport } of VIEWPORTS) {
  portal.journey(`on ${name}, a refused form focuses its error summary, whose links lead to the fields`, async ({ page, visit, check }) => {
    await visit("/signup");
    await page.getByLabel("Full name").fill("Nadia Al-Hashimi");
    await page.getByRole("button", { name: "Create account" }).click();

    const summary = page.getByRole("alert");
    await summary.waitFor();
    await check();
    // Focus is on the summary, not on the page body.
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("error-summary");
    expect(await summary.getByRole("heading").textContent()).toBe("Check the form");
    // What was typed is still there; the refused fields say so to assistive technology.
    expect(await page.getByLabel("Full name").inputValue()).toBe("Nadia Al-Hashimi");
    const email = page.getByLabel("Email address");
    expect(await email.getAttribute("aria-invalid")).toBe("true");
    expect(await email.getAttribute("aria-describedby")).toBe("form-email-error");

    // The summary's link takes focus to its field.
    await summary.getByRole("link", { name: "Enter your email address." }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("form-email");

    // The layout holds on this screen: nothing wider than the viewport.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
  }, { viewport, allowConsoleErrors: [/status of 400/] });

  portal.journey(`on ${name}, a success notice is announced where the form was`, async ({ page, visit, check }) => {
    await visit("/forgot-password");
    await page.getByLabel("Email address").fill("someone@example.org");
    await page.getByRole("button", { name: "Send the link" }).click();
    const notice = page.getByRole("status");
    await notice.waitFor();
    await check();
    expect(await notice.textContent()).toBe("If someone@example.org has an account, a link to choose a new password is on its way. It works for one hour.");
  }, { viewport });
}

async function signIn({ page, visit, check }: Journey, email: string): Promise<void> {
  await visit("/login");
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password", { exact: true }).fill("liaison-demo-passphrase");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => url.pathname !== "/login");
  await check();
}

portal.journey(
  "a consequential action asks for a second click, and the keyboard reaches both",
  async (journey) => {
    const { page, visit, check } = journey;
    // The same account signed in on a second device, so that "sign out everywhere else" has something to end.
    const elsewhere = await openBrowser(portal.url);
    try {
      const other = await newJourneyPage(elsewhere.context, portal.portal);
      await signIn(other, "speaker@demo.liaison.test");
      await other.page.close();
    } finally {
      await elsewhere.close();
    }
    await signIn(journey, "speaker@demo.liaison.test");
    await visit("/account/security");
    const opener = page.locator("summary", { hasText: "Sign out everywhere else" });
    await opener.focus();
    await page.keyboard.press("Enter");
    const confirm = page.getByRole("button", { name: /^Yes, sign out \d+ other sessions?$/ });
    await confirm.waitFor();
    await check();
    await confirm.focus();
    await page.keyboard.press("Enter");
    const notice = page.getByRole("status");
    await notice.waitFor();
    await check();
    expect(await notice.textContent()).toMatch(/^Signed out of \d+ other sessions?\.$/);
  },
  { viewport: { width: 390, height: 844 } },
);
