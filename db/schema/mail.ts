import { sql } from "drizzle-orm";
import { bigint, check, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** A file sent with a mail (a calendar invitation); small text only, kept with the mail. */
export type MailAttachment = { filename: string; contentType: string; content: string };

/**
 * Every mail the site sends, written in the transaction of the change that causes it: the record of what was sent
 * to whom. The job queue delivers it (a "mail.deliver" job per row, app/.server/mail/delivery.ts).
 */
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    toAddress: text().notNull(),
    subject: text().notNull(),
    textBody: text().notNull(),
    attachments: jsonb().$type<MailAttachment[]>().notNull().default([]),
    status: text().$type<"pending" | "sent" | "failed">().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    sentAt: timestamp({ withTimezone: true }),
    transport: text(),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("mail_outbox_status_known", sql`${t.status} in ('pending', 'sent', 'failed')`)],
);

export type OutboxMail = typeof mailOutbox.$inferSelect;
