/**
 * The program in Chromium, at a desktop and a phone width: a visitor learns what and when the conference is, finds
 * a session by searching, stars three (the page is not reloaded), sees the overlap flagged on their agenda,
 * subscribes to their personal feed (parsed with ical.js), switches to Asia/Kolkata and sees the right days; an
 * organizer moves a starred session and the mail to the person who starred it is in the outbox.
 */
import ICAL from "ical.js";
import { expect } from "vitest";
import { eventually } from "#tests/support/jobs.ts";
import { signIn, signInAsDemo } from "./sign-in.ts";
import { newJourneyPage, openBrowser, setupPortal, type Journey } from "./harness.ts";

const portal = setupPortal();

const CONFERENCE = "Fentanyl and Opioid Targeting Conference 2027";
const BITCOIN = "Following the bitcoin: tracing payments from buyer to vendor";
const RESELLERS = "Repackaged and resent: how resellers move fentanyl through the mail";
const VENDOR = "Anatomy of a dark-web vendor: departments, administrators and a public affairs desk";

/**
 * Stars a session with JavaScript on: the button changes in place and the page is the same document. With
 * `changeMind`, it is unstarred and starred again first (the second and third presses go through the fetcher).
 */
async function star({ page }: Journey, title: string, changeMind = false): Promise<void> {
  await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  const button = page.getByRole("button", { name: `Star: ${title}`, exact: true });
  const pressed = (state: "true" | "false") =>
    page.waitForFunction(
      ([name, value]) => [...document.querySelectorAll("button.star")].some((b) => b.getAttribute("aria-label") === `Star: ${name!}` && b.getAttribute("aria-pressed") === value),
      [title, state],
    );
  expect(await button.getAttribute("aria-pressed")).toBe("false");
  await button.click();
  await pressed("true");
  if (changeMind) {
    await button.click();
    await pressed("false");
    await button.click();
    await pressed("true");
  }
  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
}

async function bodyText(journey: Journey): Promise<string> {
  return ((await journey.page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");
}

/** An organizer (signed in with the demo's second factor) moves the bitcoin session; the starrer's mail is queued. */
async function organizerMovesSession(organizerRole: string, starrerEmail: string, to: { start: string; end: string }, width: { width: number; height: number }) {
  const browser = await openBrowser(portal.url);
  try {
    const organizer = await newJourneyPage(browser.context, portal.portal, { viewport: width });
    const { page, check } = organizer;
    await signInAsDemo(organizer, organizerRole);
    await organizer.visit("/admin/agenda");
    await page.getByRole("link", { name: BITCOIN }).click();
    await page.waitForURL(/\/admin\/agenda\/sessions\/[0-9a-f-]{36}$/);
    await check();
    await page.getByLabel("Starts at").fill(to.start);
    await page.getByLabel("Ends at").fill(to.end);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    await check();
    // The save queued a job that writes the mails: the outbox shows them within a few seconds.
    const outbox = await eventually(
      async () => {
        await organizer.visit("/admin/outbox");
        const text = await bodyText(organizer);
        // The starrer's own mail: an earlier journey's starrer may have one about the same move.
        return text.includes(starrerEmail) && text.includes(`Program change: "${BITCOIN}" has moved`) && text;
      },
      15_000,
      "the program-change mail in the outbox",
    );
    expect(outbox).toContain(`Program change: "${BITCOIN}" has moved`);
    expect(organizer.consoleErrors).toEqual([]);
    expect(organizer.uncheckedPages()).toEqual([]);
  } finally {
    await browser.close();
  }
}

async function attendeeJourney(journey: Journey, email: string) {
  const { page, visit, check } = journey;
  await visit("/");
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(CONFERENCE);
  const home = await bodyText(journey);
  expect(home).toContain("7–11 June 2027 at Potomac Yard Conference Center, Alexandria, Virginia");
  expect(home).toContain("New York time (GMT-4)");

  await signIn(journey, email);
  await visit("/agenda");
  expect(await bodyText(journey)).toContain("Times are New York time (GMT-4).");

  // Find a session by searching.
  await page.getByLabel("Search titles, abstracts and speakers").fill("bitcoin");
  await page.getByLabel("Search titles, abstracts and speakers").press("Enter");
  await page.waitForURL(/[?&]q=bitcoin/);
  await page.getByRole("heading", { name: "1 session matches “bitcoin”" }).waitFor();
  await check();
  await star(journey, BITCOIN, true);

  // Two more on Monday morning, at the same time as each other.
  await visit("/agenda?day=2027-06-07");
  await star(journey, RESELLERS);
  await star(journey, VENDOR);

  await page.getByRole("link", { name: "My agenda" }).click();
  await page.waitForURL("**/agenda/mine");
  await check();
  const mine = await bodyText(journey);
  expect(mine).toContain("3 starred sessions");
  expect(mine).toContain("2 of your sessions overlap with another you starred");
  expect(await page.locator(".overlap").allTextContents()).toEqual([`Overlaps with “${VENDOR}”`, `Overlaps with “${RESELLERS}”`]);

  // Subscribe to the personal feed, and read it as a calendar app would.
  await page.getByRole("button", { name: "Make a calendar address" }).click();
  const address = (await page.locator(".feed-url").textContent())!.trim();
  await check();
  const feed = await page.request.get(address);
  expect(feed.status()).toBe(200);
  const calendar = new ICAL.Component(ICAL.parse(await feed.text()));
  expect(calendar.getAllSubcomponents("vevent").map((event) => event.getFirstPropertyValue("summary"))).toEqual([VENDOR, RESELLERS, BITCOIN]);

  // Times where the viewer is: the select applies at once with JavaScript.
  await visit("/agenda?day=2027-06-07");
  await page.getByLabel("Show times in").selectOption("Asia/Kolkata");
  await page.waitForURL(/tz=Asia%2FKolkata/);
  await page.locator("strong", { hasText: "Kolkata time (GMT+5:30)" }).waitFor();
  await check();
  const kolkata = await bodyText(journey);
  expect(kolkata).toContain("Times are Kolkata time (GMT+5:30).");
  // 13:30–15:00 at the venue is 23:00–00:30 in Kolkata, still on Monday there.
  expect(kolkata).toContain("23:00–00:30 (next day)Targeting centres working together");
  await page.getByRole("link", { name: "Tue 8 June" }).click();
  await page.waitForURL(/day=2027-06-08/);
  await page.getByRole("heading", { level: 2, name: "Tue 8 June" }).waitFor();
  await check();
  const tuesday = await bodyText(journey);
  expect(tuesday).toContain("01:00–02:30Air cargo: the risk rules that found the pill presses");
  expect(tuesday).toContain("Times are Kolkata time (GMT+5:30).");
}

portal.journey(
  "at a desktop width, a visitor finds, stars and subscribes to sessions, switches zone, and an organizer moves one",
  async (journey) => {
    await attendeeJourney(journey, "attendee@demo.liaison.test");
    const { width, height } = journey.page.viewportSize()!;
    expect(width).toBe(1280);
    await organizerMovesSession("organizer", "attendee@demo.liaison.test", { start: "16:00", end: "17:30" }, { width, height });
    await journey.visit("/agenda/changes");
    expect(await bodyText(journey)).toContain(`${BITCOIN}: Moved from Mon 7 June 15:30–17:00, Chesapeake B to Mon 7 June 16:00–17:30, Chesapeake B.`);
  },
  { viewport: { width: 1280, height: 900 } },
);

portal.journey(
  "at a phone width, the same: a list in time order instead of a grid, and an admin moves the session",
  async (journey) => {
    await attendeeJourney(journey, "speaker@demo.liaison.test");
    const { page } = journey;
    // A phone shows the day as one column: no sideways scrolling.
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(innerWidth).toBe(390);
    expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
    await organizerMovesSession("admin", "speaker@demo.liaison.test", { start: "16:30", end: "18:00" }, { width: 390, height: 844 });
  },
  { viewport: { width: 390, height: 844 } },
);
