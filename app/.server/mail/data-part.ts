import { desc, eq } from "drizzle-orm";
import { mailOutbox } from "#db/schema/mail.ts";
import { dataPart } from "../data-rights/part.ts";

// Links in old mail may still work; a downloaded file is kept less carefully than a mailbox.
function withoutLinkTokens(text: string): string {
  return text.replace(/token=[a-z2-7]{32}/g, "token=[removed]");
}

/** Mail belongs to the account it was for: an address held by someone else before brings none of theirs. */
export const mailDataPart = dataPart({
  name: "mail",
  tables: [mailOutbox],
  async export(tx, userId) {
    const rows = await tx
      .select({ createdAt: mailOutbox.createdAt, to: mailOutbox.toAddress, subject: mailOutbox.subject, status: mailOutbox.status, sentAt: mailOutbox.sentAt, text: mailOutbox.textBody })
      .from(mailOutbox)
      .where(eq(mailOutbox.userId, userId))
      .orderBy(desc(mailOutbox.id));
    return { mail: rows.map((row) => ({ ...row, text: withoutLinkTokens(row.text) })) };
  },
});
