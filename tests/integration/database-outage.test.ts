/**
 * What visitors and load balancers see when the database cannot answer: a held lock, a full pool, a cut.
 * On the Postgres server the app runs on a pool of two connections with short timeouts, so that the limits show quickly.
 */
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { database, installDatabase, openDatabase, type DatabaseHandle } from "#db/client.ts";
import { config, installConfig, type Config } from "#app/.server/config.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { startTestApp, type TestApp, type TestClient } from "#tests/support/app.ts";
import { startDatabaseProxy } from "#tests/support/db-proxy.ts";
import { gate } from "#tests/support/jobs.ts";

const STATEMENT_TIMEOUT_MS = 1_500;
const POOL_TIMEOUT_MS = 1_000;
const HEALTHZ_TIMEOUT_MS = 1_000;

let app: TestApp;
let direct: DatabaseHandle;
/** On the embedded database: a second one, closed, to stand in for a database that is gone. */
let closedDatabase: DatabaseHandle | undefined;
let original: Config;
const handles: DatabaseHandle[] = [];
const cleanups: (() => Promise<void>)[] = [];

function serverUrl(): string | undefined {
  return direct.target.kind === "postgres" ? direct.target.url : undefined;
}

beforeAll(async () => {
  direct = database();
  original = config();
  installConfig({ ...original, healthzTimeoutMs: HEALTHZ_TIMEOUT_MS });
  const url = serverUrl();
  if (url) {
    const limited = await openDatabase({ kind: "postgres", url, max: 2, statementTimeoutMs: STATEMENT_TIMEOUT_MS, acquireTimeoutMs: POOL_TIMEOUT_MS });
    handles.push(limited);
    installDatabase(limited);
  } else {
    // Opened before the app serves anything: starting PGlite takes seconds, longer than a kept-alive socket idles.
    closedDatabase = await openDatabase({ kind: "pglite", dataDir: "memory://" });
    await closedDatabase.close();
  }
  app = await startTestApp();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await app?.close();
  installDatabase(direct);
  for (const handle of handles) await handle.close();
  installConfig(original);
});

async function signedInClient(): Promise<TestClient> {
  const user = await createUser();
  const { token } = await createUserSession(user.id);
  const client = app.client();
  client.cookies.set("liaison_session", token);
  return client;
}

/** Another session's exclusive lock on the sessions table, held until the returned release is called. */
async function lockSessions(url: string): Promise<() => Promise<void>> {
  const holder = postgres(url, { max: 1, onnotice: () => {} });
  const held = gate();
  const locked = gate();
  const transaction = holder.begin(async (sql) => {
    await sql`lock table sessions in access exclusive mode`;
    locked.open();
    await held.promise;
  });
  await locked.promise;
  const release = async () => {
    held.open();
    await transaction;
    await holder.end();
  };
  cleanups.push(release);
  return release;
}

/** The embedded database has one connection: an open transaction holds it, as a full pool does on a server. */
async function holdEmbedded(): Promise<() => Promise<void>> {
  const held = gate();
  const started = gate();
  const transaction = direct.db.transaction(async () => {
    started.open();
    await held.promise;
  });
  const release = async () => {
    held.open();
    await transaction;
  };
  cleanups.push(release);
  await started.promise;
  return release;
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await run();
  return { value, ms: Date.now() - started };
}

function expectSiteUnavailablePage(res: { status: number; headers: Headers; text: string }) {
  expect(res.status).toBe(503);
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  // A signed-in page is also private; either way no cache keeps it.
  expect(res.headers.get("cache-control")).toMatch(/^(private, )?no-store$/);
  expect(res.headers.get("retry-after")).toBe("30");
  // The site's shell, with its own error page, not a line of plain text.
  expect(res.text).toContain('class="site-header"');
  expect(res.text).toContain("Skip to content");
  expect(res.text).toContain("Temporarily unavailable");
  expect(res.text).toContain("<title>Liaison</title>");
}

describe("/healthz", () => {
  test("answers 503 within its own limit when the database does not answer", async () => {
    const url = serverUrl();
    if (url) {
      const clients = [await signedInClient(), await signedInClient()];
      await lockSessions(url);
      // Both connections of the pool wait on the lock, as a burst of signed-in pages would make them.
      const stuck = clients.map((client) => client.get("/account"));
      cleanups.push(async () => void (await Promise.all(stuck)));
      await new Promise((resolve) => setTimeout(resolve, 100));
    } else {
      await holdEmbedded();
    }
    const { value: res, ms } = await timed(() => app.client().get("/healthz"));
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toEqual({ status: "unavailable", database: "unreachable" });
    expect(ms).toBeGreaterThanOrEqual(HEALTHZ_TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(HEALTHZ_TIMEOUT_MS + 1_000);
  });
});

describe("signed-in pages", () => {
  // Statement and pool timeouts are the server driver's; the embedded database has neither.
  if (process.env.TEST_DATABASE_URL) {
    test("answer the site's 503 page within the statement timeout while a lock holds their table, even in a burst", async () => {
      const clients = await Promise.all(Array.from({ length: 8 }, () => signedInClient()));
      await lockSessions(serverUrl()!);
      const results = await Promise.all(clients.map((client) => timed(() => client.get("/account"))));
      for (const { value } of results) expectSiteUnavailablePage(value);
      // Two wait for the lock until the statement timeout; six wait for a connection until the pool's limit.
      expect(Math.max(...results.map((result) => result.ms))).toBeLessThan(STATEMENT_TIMEOUT_MS + 1_000);
    });

    test("answer the site's 503 page while the database is cut off, and work again once it is back", async () => {
      const client = await signedInClient();
      const proxy = await startDatabaseProxy(serverUrl()!);
      const proxied = await openDatabase({ kind: "postgres", url: proxy.url, max: 2, statementTimeoutMs: STATEMENT_TIMEOUT_MS, acquireTimeoutMs: POOL_TIMEOUT_MS });
      const previous = database();
      installDatabase(proxied);
      cleanups.push(async () => {
        installDatabase(previous);
        await proxied.close();
        await proxy.close();
      });

      expect((await client.get("/account")).status).toBe(200);
      proxy.cut();
      expectSiteUnavailablePage(await client.get("/account"));
      proxy.restore();
      const back = await client.get("/account");
      expect(back.status).toBe(200);
      expect(back.text).toContain("Sign out");
    });
  } else {
    test("answer the site's 503 page when the database is closed under them", async () => {
      const client = await signedInClient();
      const previous = database();
      installDatabase(closedDatabase!);
      cleanups.push(async () => installDatabase(previous));
      expectSiteUnavailablePage(await client.get("/account"));
      installDatabase(previous);
      expect((await client.get("/account")).status).toBe(200);
    });
  }
});
