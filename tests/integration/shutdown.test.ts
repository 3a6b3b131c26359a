import fs from "node:fs";
import { afterEach, expect, test } from "vitest";
import { portIsClosed, spawnServer, tempDir, waitForHealthy, waitForOutput, type ServerProcess } from "#tests/support/server-process.ts";

const started: ServerProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop(2_000)));
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir: string): Promise<ServerProcess> {
  const server = await spawnServer({ dataDir });
  started.push(server);
  return server;
}

test("SIGTERM closes the server and exits 0 within 10 s", { timeout: 90_000 }, async () => {
  const dataDir = tempDir("shutdown");
  dirs.push(dataDir);
  const server = await start(dataDir);
  await waitForOutput(server, /listening/);
  // Leaves an idle keep-alive connection open, which must not hold the shutdown up.
  const health = await fetch(`${server.url}/healthz`);
  expect(health.status).toBe(200);
  await health.text();

  const signalled = Date.now();
  server.child.kill("SIGTERM");
  const result = await Promise.race([
    server.exited,
    new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 10_000)),
  ]);
  expect(result).toEqual({ code: 0, signal: null });
  expect(Date.now() - signalled).toBeLessThan(10_000);
  expect(await portIsClosed(server.port)).toBe(true);
  expect(server.output()).toContain("shutting down");
  // The data-directory lock is released with the database.
  expect(fs.existsSync(`${dataDir}/.liaison.lock`)).toBe(false);
});

test("a second process on the same data directory refuses to start; the first keeps serving", { timeout: 90_000 }, async () => {
  const dataDir = tempDir("shared");
  dirs.push(dataDir);
  const first = await start(dataDir);
  await waitForHealthy(first);

  const second = await start(dataDir);
  const result = await Promise.race([
    second.exited,
    new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 30_000)),
  ]);
  expect(result).not.toBe("timeout");
  expect((result as { code: number | null }).code).not.toBe(0);
  expect(second.output()).toContain("already open in another process");
  expect(await portIsClosed(second.port)).toBe(true);

  const health = await fetch(`${first.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ status: "ok" });
});
