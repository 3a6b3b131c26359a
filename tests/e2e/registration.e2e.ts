/**
 * Registration in Chromium, at a phone and a desktop width, on the demo (whose current edition is full: every seat is
 * given). An organizer adds three seats (the first goes to the demo moderator, first on the waitlist) and moderates;
 * the admin, as an attendee, registers (a form error first is caught in the page, sends nothing and keeps what was
 * typed), is approved, signs up for a
 * breakout (gives the seat up, confirming, and takes it again), opens the badge and is checked in by typing its code
 * at the door, where a second scan and a forged code are refused; with the connection cut, the door phone admits from
 * its own list and flags a badge used twice once the queue is sent. The speaker takes the last seat, the next person
 * joins the waitlist, and when the speaker cancels (from the keyboard, through the confirmation), she gets the seat
 * and the mail. The journey changes the demo's seats, so each width has a portal of its own.
 */
import type { Page } from "playwright-core";
import { describe, expect } from "vitest";
import { newJourneyPage, openBrowser, setupPortal, type Journey } from "./harness.ts";
import { signIn, signInAsDemo } from "./sign-in.ts";

async function text(journey: Journey): Promise<string> {
  return ((await journey.page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");
}

/** The one-time notice a form's redirect leaves (its URL says nothing). */
async function notice(page: Page, words: string): Promise<void> {
  await page.locator(".notice.success", { hasText: words }).waitFor();
}

/** The organizer, signed in with the code `npm run demo:code` prints, on the registrations dashboard. */
async function organizerJourney(journey: Journey): Promise<void> {
  await signInAsDemo(journey, "organizer");
  await journey.visit("/admin/registrations");
}

async function decide(journey: Journey, name: string, button: "Approve" | "Put on the waitlist"): Promise<string> {
  const { page, check } = journey;
  await journey.visit("/admin/registrations");
  await page.getByLabel(`Choose ${name}`).check();
  await page.getByRole("button", { name: button, exact: true }).click();
  await page.locator(".notice.success").waitFor();
  await check();
  return (await page.locator(".notice.success").textContent()) ?? "";
}

/** The whole journey, at the width of the attendee's page; the staff work at their desks. */
async function registrationJourney(attendee: Journey, width: number): Promise<void> {
  expect(attendee.page.viewportSize()?.width).toBe(width);
  const running = attendee.portal;
  // A browser of its own: two people in one browser would share cookies.
  const staffBrowser = await openBrowser(running.url);
  try {
    const staff = await newJourneyPage(staffBrowser.context, running);
    await organizerJourney(staff);
    // Three more seats, moderated by hand: the first goes to the demo moderator, waiting since the demo began.
    await staff.visit("/admin/registrations/settings");
    const seats = Number(await staff.page.getByLabel("Seats", { exact: true }).inputValue());
    await staff.page.getByLabel("Seats", { exact: true }).fill(String(seats + 3));
    await staff.page.getByLabel("Approval", { exact: true }).selectOption("manual");
    await staff.page.getByRole("button", { name: "Save the settings" }).click();
    await notice(staff.page, "Saved. The new seats went to the people first on the waitlist, and each was told by mail.");
    await staff.check();

    // The admin registers as any attendee would; the page refuses the first try without sending it, and the form keeps
    // what was typed.
    const { page, visit, check } = attendee;
    await signInAsDemo(attendee, "admin");
    await visit("/register");
    const posts: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST") posts.push(request.url());
    });
    await page.getByLabel("Category", { exact: true }).selectOption("us_federal");
    await page.getByLabel("Agency or organisation", { exact: true }).fill("");
    await page.getByLabel("Job title", { exact: true }).fill("Systems Administrator");
    await page.getByLabel("Country", { exact: true }).selectOption("US");
    await page.getByLabel("Arrival", { exact: true }).fill("2027-06-06");
    await page.getByLabel("Departure", { exact: true }).fill("2027-06-05");
    await page.getByRole("button", { name: "Register", exact: true }).click();
    await page.getByRole("heading", { name: "Check the form" }).waitFor();
    const summary = await page.getByRole("alert").textContent();
    expect(summary).toContain("Enter your agency or organisation.");
    expect(summary).toContain("Your departure cannot be before your arrival.");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("error-summary");
    expect(await page.getByLabel("Agency or organisation", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Job title", { exact: true }).inputValue()).toBe("Systems Administrator");
    expect(posts).toEqual([]);
    await check();
    await page.getByLabel("Agency or organisation", { exact: true }).fill("Customs and Border Protection");
    await page.getByLabel("Departure", { exact: true }).fill("2027-06-11");
    await page.getByLabel("List me in the participant directory (name, agency and country, seen by approved attendees only)").check();
    await page.getByRole("button", { name: "Register", exact: true }).click();
    await notice(page, "Thank you: your registration is in.");
    expect(posts).toHaveLength(1);
    await check();
    expect(await text(attendee)).toContain("Waiting for the organizers");

    expect(await decide(staff, "Abe Admin", "Approve")).toBe("1 approved.");

    await visit("/register");
    expect(await text(attendee)).toContain("Approved");
    await page.getByRole("link", { name: "Sign up for breakout sessions" }).click();
    await page.waitForURL("**/register/breakouts");
    await check();
    const k9 = page.locator("li.card", { hasText: "K-9 night demonstration" });
    await k9.getByRole("button", { name: "Sign up" }).click();
    await notice(page, "You have a seat in this session.");
    await check();
    expect(await k9.textContent()).toContain("You have a seat");
    // Giving the seat up asks first; the admin confirms, then takes the seat again.
    await k9.locator("summary", { hasText: "Give up my seat" }).click();
    await check();
    await k9.getByRole("button", { name: "Yes, give up my seat" }).click();
    await notice(page, "You withdrew.");
    await check();
    await k9.getByRole("button", { name: "Sign up" }).click();
    await notice(page, "You have a seat in this session.");
    await check();

    await visit("/register/badge");
    expect(await page.locator(".badge-name").textContent()).toBe("Abe Admin");
    expect(await page.locator(".badge-qr svg").count()).toBe(1);
    const code = ((await page.locator(".badge-code").textContent()) ?? "").trim();
    expect(code).toMatch(/^B1\./);
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("header").first().isVisible()).toBe(false);
    await page.emulateMedia({ media: "screen" });

    // At the door.
    await staff.visit("/admin/check-in");
    const scan = async (value: string, expected: string) => {
      await staff.page.getByLabel("Badge code", { exact: true }).fill(value);
      await staff.page.getByRole("button", { name: "Check in" }).click();
      await staff.page.locator(".scan-result", { hasText: expected }).waitFor();
    };
    await scan(code, "Welcome, Abe Admin.");
    await scan(code, "Already used: Abe Admin was checked in");
    await scan(`${code.slice(0, -2)}AA`, "Not a badge of this conference");
    await staff.check();

    // The door wifi drops: the phone admits from its own list, queues the scans, and flags the second use once back.
    const ada = await staff.page.evaluate(() => (JSON.parse(localStorage.getItem("liaison.check-in.badges") ?? "[]") as { token: string; name: string }[]).find((badge) => badge.name === "Ada Attendee")!.token);
    await staffBrowser.context.setOffline(true);
    await scan(ada, "Welcome, Ada Attendee. (Offline: sent when the connection returns.)");
    await scan(ada, "Already used: Ada Attendee was checked in before.");
    expect(await text(staff)).toContain("2 scans waiting to be sent.");
    await staffBrowser.context.setOffline(false);
    await staff.page.getByRole("heading", { name: "Flagged when the offline scans were sent" }).waitFor();
    expect(await staff.page.locator("#flagged-title + ul").textContent()).toContain("Already used: Ada Attendee was checked in at");
    expect(await text(staff)).not.toContain("scans waiting to be sent");

    // The session ends while the wifi is down: the scan stays queued and the page asks to sign in, not "offline".
    const session = await staffBrowser.context.cookies();
    await staffBrowser.context.setOffline(true);
    await scan(ada, "Already used: Ada Attendee was checked in before.");
    await staffBrowser.context.clearCookies();
    await staffBrowser.context.setOffline(false);
    await staff.page.getByText("Sign in again to send 1 scan: they stay on this phone until then.").waitFor();
    expect(await text(staff)).toContain("1 scan waiting to be sent.");
    await staff.check();
    await staffBrowser.context.addCookies(session);
    await staff.page.evaluate(() => window.dispatchEvent(new Event("online")));
    await staff.page.getByText("Sign in again to send").waitFor({ state: "detached" });
    expect(await text(staff)).not.toContain("waiting to be sent");

    // The speaker takes the last seat; Rosa Alvarez joins the waitlist.
    expect(await decide(staff, "Sam Speaker", "Approve")).toBe("1 approved.");
    expect(await decide(staff, "Rosa Alvarez", "Approve")).toBe("1 waitlisted (no seat left).");

    // The speaker cancels: the seat goes to the first in line.
    await page.context().clearCookies();
    await signIn(attendee, "speaker@demo.liaison.test");
    await visit("/register");
    // Cancelling takes a second step, and both are reachable from the keyboard.
    const cancel = page.locator("summary", { hasText: "Cancel my registration" });
    const confirm = page.getByRole("button", { name: "Yes, cancel my registration" });
    expect(await confirm.isVisible()).toBe(false);
    await cancel.focus();
    await page.keyboard.press("Enter");
    await confirm.waitFor();
    await check();
    await page.keyboard.press("Tab");
    expect(await confirm.evaluate((button) => button === document.activeElement)).toBe(true);
    await page.keyboard.press("Enter");
    await notice(page, "Your registration is cancelled.");
    await check();

    await staff.visit("/admin/registrations?status=waitlisted");
    expect(await text(staff)).toContain("0 matching");
    await staff.visit("/admin/registrations?status=approved&q=Rosa");
    expect(await text(staff)).toContain("1 matching");
    await staff.visit("/admin/outbox");
    expect(await text(staff)).toContain("r.alvarez@demo.liaison.test");
    expect(staff.consoleErrors).toEqual([]);
  } finally {
    await staffBrowser.close();
  }
}

const WIDTHS = [
  { name: "a phone", viewport: { width: 390, height: 844 } },
  { name: "a desktop", viewport: { width: 1280, height: 800 } },
];

for (const { name, viewport } of WIDTHS) {
  describe(`at ${name} width`, () => {
    const portal = setupPortal();
    portal.journey(
      "register, be approved, take a breakout, get a badge, be checked in; the last seat, the waitlist and a promotion",
      (attendee) => registrationJourney(attendee, viewport.width),
      { viewport, timeout: 240_000 },
    );
  });
}
