import { afterAll, beforeAll, expect, test } from "vitest";
import { checkA11y, openBrowser, type Browser } from "./harness.ts";

// The journeys are only as good as their checks: a page with known faults must fail them.
let browser: Browser;

beforeAll(async () => {
  browser = await openBrowser("http://127.0.0.1:9");
});

afterAll(async () => {
  await browser?.close();
});

test("the accessibility check fails on serious and critical violations and names them", async () => {
  const page = await browser.context.newPage();
  await page.setContent(
    `<!doctype html><html lang="en"><head><title>Faulty</title></head><body><main>
       <h1>Faulty</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="no-alt"><form><input id="no-label"></form>
     </main></body></html>`,
  );
  const failure = await checkA11y(page).then(
    () => null,
    (error: Error) => error.message,
  );
  await page.close();
  expect(failure).toContain("image-alt");
  expect(failure).toContain("#no-alt");
  expect(failure).toContain("#no-label");
});

test("the accessibility check passes a clean page", async () => {
  const page = await browser.context.newPage();
  await page.setContent(
    `<!doctype html><html lang="en"><head><title>Clean</title></head><body><main>
       <h1>Clean</h1><form><label for="q">Search</label><input id="q" name="q"><button>Go</button></form>
     </main></body></html>`,
  );
  await expect(checkA11y(page)).resolves.toBeUndefined();
  await page.close();
});
