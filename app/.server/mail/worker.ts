import { eq, sql } from "drizzle-orm";
import { database, getDb } from "#db/client.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { logger } from "../log.ts";
import type { PeriodicJob } from "../jobs/runner.ts";
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

/** The job that delivers the outbox. */
export const mailDeliveryJob = (transport: MailTransport = createTransport()): PeriodicJob => ({ name: "mail", run: () => deliverDueMail(transport) });
