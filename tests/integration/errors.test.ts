import { afterAll, beforeAll, expect, test } from "vitest";
import { database, installDatabase, openDatabase } from "#db/client.ts";
import { startTestApp, type TestApp } from "#tests/support/app.ts";

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.close();
});

test("a failing loader shows the 500 page with a reference, and no internals", async () => {
  const healthy = database();
  // A database that answers but has none of our tables: every page query fails as a bug would, not as an outage.
  const broken = await openDatabase({ kind: "pglite", dataDir: "memory://" });
  installDatabase(broken);
  try {
    const res = await app.client().get("/pages/about");
    expect(res.status).toBe(500);
    const requestId = res.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.text).toContain("Something went wrong");
    expect(res.text).toContain(requestId);
    expect(res.text).not.toMatch(/PGlite|relation|content_pages|\bat .+:\d+:\d+/i);
  } finally {
    installDatabase(healthy);
    await broken.close();
  }
  expect((await app.client().get("/pages/about")).status).toBe(200);
});
