import { getDb, type Executor } from "#db/client.ts";
import { mailOutbox } from "#db/schema/mail.ts";

export type Mail = { to: string; subject: string; text: string };

/**
 * Queues a mail in the transaction of the change that causes it: the mail exists exactly when the change does.
 * The worker delivers it.
 */
export async function enqueueMail(mail: Mail, tx: Executor = getDb()): Promise<void> {
  await tx.insert(mailOutbox).values({ toAddress: mail.to, subject: mail.subject, textBody: mail.text });
}
