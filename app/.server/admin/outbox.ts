import { desc, lt, sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { config } from "../config.ts";
import { PAGE_SIZE } from "./context.ts";
import { assertPermission, type Actor } from "../accounts/permissions.ts";

/**
 * Bodies are readable only on a demo or development site without SMTP: there the outbox is the only mailbox.
 * Anywhere else bodies carry live sign-in and reset links meant for their recipients alone, and an organizer
 * reading them could take over any account.
 */
function outboxBodiesVisible(): boolean {
  const cfg = config();
  return cfg.smtpUrl === undefined && (cfg.env !== "production" || cfg.seedDemo);
}

/** One page of the outbox, newest first, paged by id. */
export async function listOutbox(actor: Actor, options: { before?: number } = {}) {
  assertPermission(actor, "read:outbox");
  const bodiesVisible = outboxBodiesVisible();
  const rows = await getDb()
    .select({
      id: mailOutbox.id,
      to: mailOutbox.toAddress,
      subject: mailOutbox.subject,
      status: mailOutbox.status,
      attempts: mailOutbox.attempts,
      lastError: mailOutbox.lastError,
      createdAt: mailOutbox.createdAt,
      sentAt: mailOutbox.sentAt,
      body: bodiesVisible ? mailOutbox.textBody : sql<string | null>`null`,
    })
    .from(mailOutbox)
    .where(options.before === undefined ? undefined : lt(mailOutbox.id, options.before))
    .orderBy(desc(mailOutbox.id))
    .limit(PAGE_SIZE + 1);
  const page = rows.slice(0, PAGE_SIZE);
  return { rows: page, bodiesVisible, older: rows.length > PAGE_SIZE ? (page.at(-1)?.id ?? null) : null };
}
