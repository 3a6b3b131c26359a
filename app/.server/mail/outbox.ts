import type { Transaction } from "#db/client.ts";
import { mailOutbox, type MailAttachment } from "#db/schema/mail.ts";
import { enqueue } from "../jobs/queue.ts";
import { deliverMailJob } from "./delivery.ts";

export type Mail = { to: string; subject: string; text: string; attachments?: MailAttachment[] };

/**
 * Queues a mail in the transaction of the change that causes it: the mail and its delivery job exist exactly when
 * the change does. The outbox row is the record of what was sent; the job delivers it.
 */
export async function enqueueMail(mail: Mail, tx: Transaction): Promise<void> {
  const [row] = await tx.insert(mailOutbox).values({ toAddress: mail.to, subject: mail.subject, textBody: mail.text, attachments: mail.attachments ?? [] }).returning({ id: mailOutbox.id });
  await enqueue(tx, deliverMailJob, { mailId: row!.id });
}
