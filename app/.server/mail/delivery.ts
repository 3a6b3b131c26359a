import { setTimeout as sleep } from "node:timers/promises";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb, isDatabaseUnavailable } from "#db/client.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { defineJob, type JobContext } from "../jobs/define.ts";
import { logger } from "../log.ts";
import { mailTransport, type MailTransport } from "./transport.ts";

/** How long a step is retried through a database blink before the job gives up on it (pg-boss then retries the job). */
const BLINK_RETRY_MS = 120_000;

/**
 * Runs a database step again while the database is out of reach, for up to two minutes or until `signal` aborts.
 * Any other error is a real failure and goes straight up.
 */
async function throughBlink<T>(what: string, step: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + BLINK_RETRY_MS;
  for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
    try {
      return await step();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + wait > deadline || signal?.aborted) throw error;
      logger().warn({ err: error }, `${what}: the database is out of reach, retrying`);
      await sleep(wait);
    }
  }
}

/**
 * Sends one outbox mail unless it was sent already (a run repeated after its completion was lost finds it marked).
 * A failed send keeps the error on the row and throws, so that the job retries; the last failure marks it failed.
 */
export async function deliverMail(mailId: number, transport: MailTransport, context: Pick<JobContext, "lastAttempt" | "signal">): Promise<"sent" | "skipped"> {
  const [mail] = await throughBlink(
    `claim mail ${mailId}`,
    () =>
      getDb()
        .update(mailOutbox)
        .set({ attempts: sql`${mailOutbox.attempts} + 1` })
        .where(and(eq(mailOutbox.id, mailId), eq(mailOutbox.status, "pending")))
        .returning({ to: mailOutbox.toAddress, subject: mailOutbox.subject, text: mailOutbox.textBody, attachments: mailOutbox.attachments }),
    context.signal,
  );
  if (!mail) return "skipped";
  try {
    await transport.send(mail, context.signal);
  } catch (error) {
    // Stopped or out of time: the job runs again, so the row stays as it is.
    if (context.signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    await getDb()
      .update(mailOutbox)
      .set({ lastError: message.slice(0, 1000), ...(context.lastAttempt ? { status: "failed" as const } : {}) })
      .where(eq(mailOutbox.id, mailId));
    throw error;
  }
  // The mail has gone: sending it again is the one thing to avoid, so the mark is retried even while stopping.
  await throughBlink(`mark mail ${mailId} sent`, () =>
    getDb().update(mailOutbox).set({ status: "sent", sentAt: sql`now()`, transport: transport.name, lastError: null }).where(eq(mailOutbox.id, mailId)),
  );
  return "sent";
}

/** One job per mail, so that a slow or failing address never holds up the others. */
export const deliverMailJob = defineJob({
  name: "mail.deliver",
  payload: z.object({ mailId: z.number().int().positive() }),
  // Eight attempts over about four hours: 30-60 s after the first failure, doubling.
  retry: { limit: 7, delaySeconds: 30, backoff: true },
  timeoutSeconds: 180,
  concurrency: 4,
  run: async ({ mailId }, context) => {
    await deliverMail(mailId, mailTransport(), context);
  },
});
