/**
 * Browser journeys against the built portal running as its own production process, in Debian's Chromium.
 *
 *   const portal = setupPortal();              // one portal and one browser per test file
 *   portal.journey("signs up", async ({ page, visit, check }) => {
 *     await visit("/signup");                  // navigates, expects 200, runs axe
 *     await page.getByRole("button", { name: "Create account" }).click();
 *     await page.waitForURL(/\/verify-email/);
 *     await check();                           // axe on the page the click led to
 *   });
 *
 * A journey fails on any console error or uncaught page error, on any serious or critical axe violation, and on
 * any page it reached without running `check()` (or `visit()`) there. A failed journey leaves a screenshot and the
 * server's log in tests/e2e/artifacts/.
 */
import fs from "node:fs";
import path from "node:path";
import type * as Axe from "axe-core";
import { chromium, type BrowserContext, type Page, type Response } from "playwright-core";
import { afterAll, beforeAll, test } from "vitest";
import { spawnServer, tempDir, waitForHealthy, type ServerProcess } from "#tests/support/server-process.ts";

export const ARTIFACTS_DIR = path.resolve("tests/e2e/artifacts");
const AXE_SOURCE_PATH = path.resolve("node_modules/axe-core/axe.min.js");
const FAILING_IMPACTS = new Set(["serious", "critical"]);

export type Portal = { url: string; server: ServerProcess; stop(): Promise<void> };

/** Starts the built portal on a free loopback port and a fresh data directory, seeded with the demo accounts. */
export async function startPortal(options: { env?: Record<string, string> } = {}): Promise<Portal> {
  if (!fs.existsSync(path.resolve("build/server/index.js"))) {
    throw new Error("No server build: run `npm run build` (npm run test:e2e does) before the browser journeys.");
  }
  const server = await spawnServer({ env: { SEED_DEMO: "1", LOG_LEVEL: "warn", ...options.env } });
  try {
    await waitForHealthy(server, 90_000);
  } catch (error) {
    await server.stop(2_000);
    throw error;
  }
  return {
    url: server.url,
    server,
    stop: async () => {
      await server.stop();
      fs.rmSync(server.dataDir, { recursive: true, force: true });
    },
  };
}

export type Browser = { context: BrowserContext; close(): Promise<void> };

/** Chromium with a throwaway profile; relative URLs in page.goto resolve against `baseURL`. */
export async function openBrowser(baseURL: string): Promise<Browser> {
  const profile = tempDir("chromium");
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    baseURL,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

export type A11yViolation = { id: string; impact: string; help: string; targets: string[] };

let axeSource: string | undefined;

/** Runs axe-core on the page as it is now and throws on any serious or critical violation. */
export async function checkA11y(page: Page): Promise<void> {
  // page.evaluate goes through the DevTools protocol, which the page's CSP does not govern; a <script> tag would be refused.
  if (!(await page.evaluate("typeof window.axe !== 'undefined'"))) {
    axeSource ??= fs.readFileSync(AXE_SOURCE_PATH, "utf8");
    await page.evaluate(axeSource);
  }
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: typeof Axe }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? "unknown",
      help: violation.help,
      targets: violation.nodes.map((node) => node.target.join(" ")),
    }));
  });
  const failing = violations.filter((violation) => FAILING_IMPACTS.has(violation.impact));
  if (failing.length > 0) {
    const lines = failing.map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n    ${v.targets.join("\n    ")}`);
    throw new Error(`Accessibility violations on ${page.url()}:\n${lines.join("\n")}`);
  }
}

type RouterState = { navigation: { state: string }; revalidation: string; fetchers: Map<string, { state: string }> };

/**
 * Waits until the page is at rest. "networkidle" alone is not enough: it is reached once per document, and React Router
 * shows an action's reply before the page's data has been loaded again, so a check right after a notice could read the
 * old data. The router is the one HydratedRouter keeps on window.
 */
export async function settled(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  await page.waitForFunction(() => {
    const router = (window as unknown as { __reactRouterDataRouter?: { state: RouterState } }).__reactRouterDataRouter;
    if (!router) return true;
    const { navigation, revalidation, fetchers } = router.state;
    return navigation.state === "idle" && revalidation === "idle" && [...fetchers.values()].every((fetcher) => fetcher.state === "idle");
  });
  // The idle state and the data it brings are rendered in a transition; two frames later they are on screen.
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

export type JourneyOptions = {
  viewport?: { width: number; height: number };
  /** Console errors a journey expects, such as Chromium's note on a 404 document. */
  allowConsoleErrors?: RegExp[];
  timeout?: number;
};

export type Journey = {
  page: Page;
  portal: Portal;
  /** Goes to the path, expects the status (200 unless given) and checks the page's accessibility. */
  visit(pathname: string, options?: { status?: number }): Promise<Response>;
  /** Checks the accessibility of the page the journey is on now (after a click, a submit, a redirect). */
  check(): Promise<void>;
  consoleErrors: string[];
  /** Pages reached since their last check. */
  uncheckedPages(): string[];
};

function localPath(url: string): string | null {
  if (!url.startsWith("http")) return null;
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

/** A fresh page that records console errors and the pages it reaches that have not been checked yet. */
export async function newJourneyPage(context: BrowserContext, portal: Portal, options: JourneyOptions = {}): Promise<Journey> {
  await context.clearCookies();
  const page = await context.newPage();
  if (options.viewport) await page.setViewportSize(options.viewport);
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(`${message.text()} (at ${message.location().url || page.url()})`);
  });
  page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));

  const unchecked = new Set<string>();
  page.on("framenavigated", (frame) => {
    if (frame !== page.mainFrame()) return;
    const where = localPath(frame.url());
    if (where) unchecked.add(where);
  });
  const uncheckedPages = () => [...unchecked];

  const check = async () => {
    await settled(page);
    await checkA11y(page);
    const where = localPath(page.url());
    if (where) unchecked.delete(where);
  };
  const visit = async (pathname: string, visitOptions: { status?: number } = {}) => {
    const response = await page.goto(pathname, { waitUntil: "networkidle" });
    if (!response) throw new Error(`No response for ${pathname}`);
    const expected = visitOptions.status ?? 200;
    if (response.status() !== expected) throw new Error(`${pathname} answered ${response.status()}, expected ${expected}`);
    await check();
    return response;
  };
  return { page, portal, visit, check, consoleErrors, uncheckedPages };
}

function artifactName(name: string): string {
  return name.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").toLowerCase() || "journey";
}

/**
 * Starts one portal and one browser for the test file; `journey` registers a test that runs in a fresh page.
 */
export function setupPortal(options: { env?: Record<string, string> } = {}) {
  let portal: Portal | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    portal = await startPortal(options);
    browser = await openBrowser(portal.url);
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  const current = () => {
    if (!portal || !browser) throw new Error("The portal has not started.");
    return { portal, browser };
  };

  const journey = (name: string, body: (journey: Journey) => Promise<void>, journeyOptions: JourneyOptions = {}) =>
    test(name, { timeout: journeyOptions.timeout ?? 120_000 }, async () => {
      const { portal: running, browser: open } = current();
      const j = await newJourneyPage(open.context, running, journeyOptions);
      try {
        await body(j);
        const unexpected = j.consoleErrors.filter((text) => !(journeyOptions.allowConsoleErrors ?? []).some((re) => re.test(text)));
        if (unexpected.length > 0) throw new Error(`Console errors:\n  ${unexpected.join("\n  ")}`);
        const unchecked = j.uncheckedPages();
        if (unchecked.length > 0) throw new Error(`Pages reached without an accessibility check: ${unchecked.join(", ")}`);
      } catch (error) {
        fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
        const base = path.join(ARTIFACTS_DIR, artifactName(name));
        await j.page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => {});
        fs.writeFileSync(`${base}.log`, running.server.output());
        throw error;
      } finally {
        await j.page.close();
      }
    });

  return {
    journey,
    get url() {
      return current().portal.url;
    },
    get portal() {
      return current().portal;
    },
    get context() {
      return current().browser.context;
    },
  };
}
