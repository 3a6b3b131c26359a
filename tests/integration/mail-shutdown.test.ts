/**
 * SIGTERM while mail goes out to a slow SMTP server, with the real server process: it stops between mails, puts the
 * unsent ones back, exits 0 within its 10 s, and the next start sends the rest; no mail is accepted twice.
 */
import fs from "node:fs";
import { afterEach, expect, test } from "vitest";
import { migrateDatabase, openDatabase } from "#db/client.ts";
import { syncJobQueues } from "#app/.server/jobs/queue.ts";
import { JOBS } from "#app/.server/jobs/registry.ts";
import { enqueueMail } from "#app/.server/mail/outbox.ts";
import { eventually } from "#tests/support/jobs.ts";
import { spawnServer, tempDir, waitForHealthy, type ServerProcess } from "#tests/support/server-process.ts";
import { startSmtpServer, type TestSmtpServer } from "#tests/support/smtp.ts";

const started: ServerProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop(2_000)));
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An embedded database with mail already queued, as a busy site would have it when the signal comes. */
async function dataDirWithMail(addresses: string[]): Promise<string> {
  const dataDir = tempDir("mail-shutdown");
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const handle = await openDatabase({ kind: "pglite", dataDir });
  try {
    await migrateDatabase(handle);
    await syncJobQueues(handle, JOBS);
    await handle.db.transaction(async (tx) => {
      for (const [i, to] of addresses.entries()) await enqueueMail({ to, subject: `Notice ${i}`, text: "hello" }, tx);
    });
  } finally {
    await handle.close();
  }
  return dataDir;
}

async function serve(dataDir: string, smtp: TestSmtpServer): Promise<ServerProcess> {
  const server = await spawnServer({ dataDir, env: { SMTP_URL: smtp.url } });
  started.push(server);
  return server;
}

test("SIGTERM stops mail between mails, exits 0 in time with a slow SMTP server, and no mail goes twice", { timeout: 240_000 }, async () => {
  const addresses = Array.from({ length: 20 }, (_, i) => `r${i}@slow-smtp.example`);
  const dataDir = await dataDirWithMail(addresses);
  const smtp = await startSmtpServer({ delayMs: 300 });
  cleanups.push(() => smtp.close());
  let arrivedWhileSlow = 0;
  smtp.onMail = () => {
    if (smtp.delayMs > 1_000) arrivedWhileSlow += 1;
  };

  const first = await serve(dataDir, smtp);
  await eventually(() => smtp.accepted.length >= 8, 120_000, "eight mails to go out");
  // The server turns slow: the mails now in flight would take longer than the process's grace period.
  smtp.delayMs = 8_000;
  await eventually(() => arrivedWhileSlow >= 1, 20_000, "a mail to be in flight to the slow server");
  const acceptedBefore = smtp.accepted.length;

  const signalled = Date.now();
  first.child.kill("SIGTERM");
  const exit = await first.exited;
  const exitMs = Date.now() - signalled;
  expect(exit).toEqual({ code: 0, signal: null });
  expect(exitMs).toBeLessThan(10_000);
  expect(first.output()).toContain("shutting down");
  // Nothing went out after the signal: the slow ones were dropped before the server accepted them.
  expect(smtp.accepted.length).toBe(acceptedBefore);

  smtp.delayMs = 50;
  const second = await serve(dataDir, smtp);
  await waitForHealthy(second);
  // The released mails go now, not after a lease runs out.
  await eventually(() => smtp.accepted.length >= addresses.length, 30_000, "the rest of the mail");
  await eventually(() => smtp.abandoned === arrivedWhileSlow, 15_000, "the slow server to notice the dropped connections");

  const received = smtp.accepted.flatMap((mail) => mail.to);
  expect(received.sort()).toEqual([...addresses].sort());
  expect(arrivedWhileSlow).toBeGreaterThanOrEqual(1);
  expect(arrivedWhileSlow).toBeLessThanOrEqual(4);
});
