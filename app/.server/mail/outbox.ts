import { sql } from "drizzle-orm";
import type { Transaction } from "#db/client.ts";
import { mailOutbox, type MailAttachment } from "#db/schema/mail.ts";
import { enqueue } from "../jobs/queue.ts";
import { deliverMailJob } from "./delivery.ts";

/**
 * `userId`: the account the mail is for. Without it, the account that holds the address now (none for an address
 * without an account). The data export reads mail by account, not by address.
 */
export type Mail = { to: string; subject: string; text: string; userId?: string | null; attachments?: MailAttachment[] };

/**
 * Queues a mail in the transaction of the change that causes it: the mail and its delivery job exist exactly when
 * the change does. The outbox row is the record of what was sent; the job delivers it.
 */
export async function enqueueMail(mail: Mail, tx: Transaction): Promise<void> {
  const userId = mail.userId !== undefined ? mail.userId : sql`(select id from users where email = lower(${mail.to}))`;
  const [row] = await tx
    .insert(mailOutbox)
    .values({ userId, toAddress: mail.to, subject: mail.subject, textBody: mail.text, attachments: mail.attachments ?? [] })
    .returning({ id: mailOutbox.id });
  await enqueue(tx, deliverMailJob, { mailId: row!.id });
}
