import { eq, inArray } from "drizzle-orm";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { database, getDb, installDatabase, openDatabase } from "#db/client.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { startDatabaseProxy } from "#tests/support/db-proxy.ts";
import { eventually, jobRows } from "#tests/support/jobs.ts";
import { startSmtpServer, type TestSmtpServer } from "#tests/support/smtp.ts";
import { config, installConfig, type Config } from "../config.ts";
import { startJobs, type RunningJobs } from "../jobs/worker.ts";
import { deliverMail, deliverMailJob } from "./delivery.ts";
import { enqueueMail, type Mail } from "./outbox.ts";
import type { MailTransport } from "./transport.ts";

let original: Config;
beforeAll(() => {
  original = config();
});
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  installConfig(original);
});

function recordingTransport(fail = false): MailTransport & { sent: Mail[] } {
  const sent: Mail[] = [];
  return {
    name: "test",
    sent,
    send: async (mail) => {
      if (fail) throw new Error("SMTP said no");
      sent.push(mail);
    },
  };
}

const context = (lastAttempt = false) => ({ lastAttempt, signal: new AbortController().signal });

async function queue(mails: Mail[]): Promise<number[]> {
  await getDb().transaction(async (tx) => {
    for (const mail of mails) await enqueueMail(mail, tx);
  });
  const rows = await getDb()
    .select({ id: mailOutbox.id })
    .from(mailOutbox)
    .where(inArray(mailOutbox.toAddress, mails.map((mail) => mail.to)))
    .orderBy(mailOutbox.id);
  return rows.map((row) => row.id);
}

async function smtpServer(delayMs = 0): Promise<TestSmtpServer> {
  const smtp = await startSmtpServer({ delayMs });
  cleanups.push(() => smtp.close());
  installConfig({ ...original, smtpUrl: smtp.url });
  return smtp;
}

async function work(handle = database()): Promise<RunningJobs> {
  const jobs = await startJobs(handle, [deliverMailJob], { pollMs: 50 });
  cleanups.push(() => jobs.stop(0));
  return jobs;
}

describe("the outbox", () => {
  it("keeps no mail, and no delivery job, of a change that rolled back", async () => {
    await expect(
      getDb().transaction(async (tx) => {
        await enqueueMail({ to: "rolled@back.example", subject: "s", text: "t" }, tx);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, "rolled@back.example"))).toHaveLength(0);
    expect(await jobRows(deliverMailJob.name)).toHaveLength(0);
  });

  it("gives each committed mail one delivery job", async () => {
    const ids = await queue([
      { to: "one@job.example", subject: "s", text: "t" },
      { to: "two@job.example", subject: "s", text: "t" },
    ]);
    const jobs = (await jobRows(deliverMailJob.name)).filter((job) => ids.includes((job.data as { mailId: number }).mailId));
    expect(jobs.map((job) => (job.data as { mailId: number }).mailId).sort((a, b) => a - b)).toEqual(ids);
  });
});

describe("delivering one mail", () => {
  it("sends it and marks it sent; a repeated run finds it sent and sends nothing", async () => {
    const [id] = await queue([{ to: "once@deliver.example", subject: "Hello", text: "body" }]);
    const transport = recordingTransport();
    expect(await deliverMail(id!, transport, context())).toBe("sent");
    expect(await deliverMail(id!, transport, context())).toBe("skipped");
    expect(transport.sent).toEqual([{ to: "once@deliver.example", subject: "Hello", text: "body", attachments: [] }]);
    const [row] = await getDb().select().from(mailOutbox).where(eq(mailOutbox.id, id!));
    expect(row).toMatchObject({ status: "sent", attempts: 1, transport: "test", lastError: null });
    expect(row!.sentAt).toBeInstanceOf(Date);
  });

  it("keeps the error and the mail pending for the job's retry, and marks it failed on the last attempt", async () => {
    const [id] = await queue([{ to: "retry@deliver.example", subject: "s", text: "t" }]);
    await expect(deliverMail(id!, recordingTransport(true), context())).rejects.toThrow("SMTP said no");
    const [pending] = await getDb().select().from(mailOutbox).where(eq(mailOutbox.id, id!));
    expect(pending).toMatchObject({ status: "pending", attempts: 1, lastError: "SMTP said no" });

    await expect(deliverMail(id!, recordingTransport(true), context(true))).rejects.toThrow("SMTP said no");
    const [failed] = await getDb().select().from(mailOutbox).where(eq(mailOutbox.id, id!));
    expect(failed).toMatchObject({ status: "failed", attempts: 2 });
    // A failed mail is not tried again, even if its job were.
    expect(await deliverMail(id!, recordingTransport(), context())).toBe("skipped");
  });

  it("leaves the mail as it was when its run is stopped, for the next run to send", async () => {
    const [id] = await queue([{ to: "stopped@deliver.example", subject: "s", text: "t" }]);
    const controller = new AbortController();
    const stalled: MailTransport = {
      name: "test",
      send: (_mail, signal) =>
        new Promise((_, reject) => {
          signal?.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
          controller.abort();
        }),
    };
    await expect(deliverMail(id!, stalled, { lastAttempt: true, signal: controller.signal })).rejects.toThrow("aborted");
    const [row] = await getDb().select().from(mailOutbox).where(eq(mailOutbox.id, id!));
    expect(row).toMatchObject({ status: "pending", lastError: null });
  });
});

describe("the delivery job over SMTP", () => {
  it("delivers every queued mail exactly once", async () => {
    const smtp = await smtpServer(50);
    const addresses = Array.from({ length: 12 }, (_, i) => `m${i}@smtp.example`);
    const ids = await queue(addresses.map((to, i) => ({ to, subject: `Mail ${i}`, text: "hello" })));
    await work();
    await eventually(async () => {
      const rows = await getDb().select({ status: mailOutbox.status }).from(mailOutbox).where(inArray(mailOutbox.id, ids));
      return rows.every((row) => row.status === "sent");
    }, 15_000, "every mail to be marked sent");
    // Earlier tests' mail goes out too; each of these went exactly once.
    expect(smtp.accepted.flatMap((mail) => mail.to).filter((to) => to.endsWith("@smtp.example")).sort()).toEqual([...addresses].sort());
    const rows = await getDb().select().from(mailOutbox).where(inArray(mailOutbox.id, ids));
    expect(rows.every((row) => row.transport === "smtp" && row.attempts === 1)).toBe(true);
  });

  // A cut needs a connection to cut: the embedded database has none, so this runs in the Postgres server run.
  if (process.env.TEST_DATABASE_URL) {
    it("sends a mail accepted while the database is cut once, and the rest as soon as it is back", { timeout: 60_000 }, async () => {
      const proxy = await startDatabaseProxy((database().target as { url: string }).url);
      cleanups.push(() => proxy.close());
      const direct = database();
      const proxied = await openDatabase({ kind: "postgres", url: proxy.url, max: 4 });
      cleanups.push(async () => {
        installDatabase(direct);
        await proxied.close();
      });

      const addresses = Array.from({ length: 20 }, (_, i) => `cut${i}@blink.example`);
      const ids = await queue(addresses.map((to, i) => ({ to, subject: `Mail ${i}`, text: "hello" })));
      const smtp = await smtpServer(250);
      const CUT_MS = 3_000;
      let restoredAt = 0;
      // The fifth mail arrives; the database goes away before the server accepts it, so that its "sent" mark fails.
      smtp.onMail = ({ index }) => {
        if (index !== 4) return;
        proxy.cut();
        setTimeout(() => {
          proxy.restore();
          restoredAt = Date.now();
        }, CUT_MS);
      };

      installDatabase(proxied);
      await work(proxied);
      await eventually(async () => {
        if (!restoredAt) return false;
        const rows = await direct.db.select({ status: mailOutbox.status }).from(mailOutbox).where(inArray(mailOutbox.id, ids));
        return rows.every((row) => row.status === "sent");
      }, 30_000, "every mail to be marked sent");
      const doneAt = Date.now();

      expect(smtp.accepted.flatMap((mail) => mail.to).filter((to) => to.endsWith("@blink.example")).sort()).toEqual([...addresses].sort());
      expect(smtp.abandoned).toBe(0);
      // Two minutes of lease is what this replaced; the rest of the batch goes on within seconds of the restore.
      expect(doneAt - restoredAt).toBeLessThan(10_000);
      const attempts = await direct.db.select({ attempts: mailOutbox.attempts }).from(mailOutbox).where(inArray(mailOutbox.id, ids));
      expect(attempts.map((row) => row.attempts)).toEqual(ids.map(() => 1));
      await eventually(async () => (await jobRows(deliverMailJob.name, direct)).every((job) => job.state === "completed"), 10_000, "every job to complete");
    });
  }
});
