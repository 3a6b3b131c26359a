import { eq, sql } from "drizzle-orm";
import { database, getDb } from "#db/client.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { logger } from "../log.ts";
import { createTransport, type MailTransport } from "./transport.ts";

const BATCH = 20;
const LEASE_SECONDS = 120;
const MAX_ATTEMPTS = 8;

type Claimed = { id: number | string; to_address: string; subject: string; text_body: string; attempts: number };

/**
 * Claims due mail with a lease (FOR UPDATE SKIP LOCKED), so that several instances share the queue without
 * taking the same row; a crashed instance's lease runs out and another picks the mail up.
 */
export async function deliverDueMail(transport: MailTransport = createTransport()): Promise<number> {
  const claimed = await database().rows<Claimed>(sql`
    update mail_outbox set locked_until = now() + make_interval(secs => ${LEASE_SECONDS}), attempts = attempts + 1
    where id in (
      select id from mail_outbox
      where status = 'pending' and next_attempt_at <= now() and (locked_until is null or locked_until < now())
      order by id limit ${BATCH}
      for update skip locked
    )
    returning id, to_address, subject, text_body, attempts`);
  for (const mail of claimed) {
    try {
      await transport.send({ to: mail.to_address, subject: mail.subject, text: mail.text_body });
      await getDb()
        .update(mailOutbox)
        .set({ status: "sent", sentAt: new Date(), lockedUntil: null, transport: transport.name, lastError: null })
        .where(eq(mailOutbox.id, Number(mail.id)));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const giveUp = mail.attempts >= MAX_ATTEMPTS;
      logger().warn({ mailId: Number(mail.id), attempts: mail.attempts, err: message }, giveUp ? "mail failed for good" : "mail failed, will retry");
      await getDb()
        .update(mailOutbox)
        .set({
          status: giveUp ? "failed" : "pending",
          lockedUntil: null,
          lastError: message.slice(0, 1000),
          // Back off 30 s, 1 min, 2 min ... up to about an hour.
          nextAttemptAt: sql`now() + make_interval(secs => ${Math.min(30 * 2 ** (mail.attempts - 1), 3600)})`,
        })
        .where(eq(mailOutbox.id, Number(mail.id)));
    }
  }
  return claimed.length;
}

/** A job every instance runs on its own timer; it must be safe to run in several instances at once. */
export type PeriodicJob = { name: string; everyMs?: number; run(): Promise<unknown> };

/** Runs mail delivery (and any other periodic job) every few seconds until the returned stop is called. */
export function startMailWorker(options: { intervalMs?: number; jobs?: PeriodicJob[] } = {}): () => Promise<void> {
  const transport = createTransport();
  const jobs: PeriodicJob[] = [{ name: "mail", run: () => deliverDueMail(transport) }, ...(options.jobs ?? [])];
  let running: Promise<void> | undefined;
  let stopped = false;
  const lastRun = new Map<string, number>();
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      for (const job of jobs) {
        const last = lastRun.get(job.name);
        if (job.everyMs && last !== undefined && Date.now() - last < job.everyMs) continue;
        lastRun.set(job.name, Date.now());
        try {
          await job.run();
        } catch (error) {
          logger().error({ err: error, job: job.name }, "periodic job failed");
        }
      }
    })().finally(() => {
      running = undefined;
    });
  };
  const timer = setInterval(tick, options.intervalMs ?? 2_000);
  timer.unref();
  tick();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
