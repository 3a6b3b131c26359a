import { expect } from "vitest";
import { setupPortal } from "./harness.ts";

const portal = setupPortal();

const MAIN_NAV = ["Agenda", "Register", "Speakers", "Forum", "Sign in"];

portal.journey("the home page names the conference and renders the main navigation", async ({ page, visit }) => {
  await visit("/");
  // The first start loaded the demo program: the home page leads with its current edition.
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Fentanyl and Opioid Targeting Conference 2027");
  expect(await page.title()).toContain("Liaison");
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const name of MAIN_NAV) {
    const link = nav.getByRole("link", { name, exact: true });
    expect(await link.count(), `navigation link "${name}"`).toBe(1);
  }
  expect(await nav.getByRole("link", { name: "Sign in", exact: true }).getAttribute("href")).toBe("/login");
});

portal.journey("a footer link leads to a content page", async ({ page, visit, check }) => {
  await visit("/");
  const footer = page.getByRole("navigation", { name: "About" });
  const about = footer.locator('a[href="/pages/about"]');
  expect(await about.count(), "a footer link to /pages/about").toBe(1);
  await about.click();
  await page.waitForURL("**/pages/about");
  await check();
  const heading = page.getByRole("heading", { level: 1 });
  expect((await heading.textContent())?.trim()).toBeTruthy();
  expect(await page.title()).toMatch(/ · Liaison$/);
  expect(await page.locator("main p").count()).toBeGreaterThan(0);

  // The same page loaded directly, as a bookmark or a link from mail would open it.
  await visit("/pages/about");
  expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(await heading.textContent());
});

portal.journey(
  "an unknown address shows the 404 page",
  async ({ page, visit }) => {
    await visit("/no/such/page", { status: 404 });
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Page not found");
    expect(await page.getByRole("link", { name: "Back to the home page" }).count()).toBe(1);
  },
  // Chromium reports every 4xx document on the console.
  { allowConsoleErrors: [/status of 404/] },
);

portal.journey(
  "pages fit a phone screen without sideways scrolling",
  async ({ page, visit }) => {
    for (const pathname of ["/", "/pages/about", "/login", "/signup"]) {
      await visit(pathname);
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      expect(innerWidth).toBe(390);
      expect(scrollWidth, `${pathname} is ${scrollWidth}px wide`).toBeLessThanOrEqual(innerWidth);
    }
  },
  { viewport: { width: 390, height: 844 } },
);

portal.journey("navigating with the header links works once the page is interactive", async ({ page, visit, check }) => {
  await visit("/");
  for (const [name, pathname] of [
    ["Agenda", "/agenda"],
    ["Speakers", "/speakers"],
    ["Sign in", "/login"],
  ] as const) {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
    await page.waitForURL(`**${pathname}`);
    await check();
    expect(await page.getByRole("heading", { level: 1 }).count()).toBe(1);
  }
});
