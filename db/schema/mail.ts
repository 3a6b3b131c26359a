import { sql } from "drizzle-orm";
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./accounts.ts";

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
    /**
     * The account the mail was for, when it was sent: the data export reads mail by account, so a new account on an
     * address that someone deleted before never sees the earlier owner's mail.
     */
    userId: uuid().references(() => users.id, { onDelete: "set null" }),
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
  (t) => [
    check("mail_outbox_status_known", sql`${t.status} in ('pending', 'sent', 'failed')`),
    index("mail_outbox_user_idx").on(t.userId, t.id),
  ],
);

export type OutboxMail = typeof mailOutbox.$inferSelect;
