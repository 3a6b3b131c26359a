import { and, asc, eq, gt, inArray, isNull, lt, lte, or, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { config } from "../config.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { defineJob } from "../jobs/define.ts";
import { membershipReminderMail } from "./mails.ts";

const BATCH = 100;

/**
 * Who is due a reminder: an active member whose membership ends within the reminder window and who has not been
 * reminded since that window opened. Tying "reminded" to the window of the current end date means a renewal
 * (which moves memberUntil) earns a new reminder next term, even if nothing cleared the old timestamp.
 */
function due() {
  const window = sql`make_interval(days => ${config().membership.reminderDays})`;
  return and(
    eq(users.status, "active"),
    sql`${users.emailVerifiedAt} is not null`,
    gt(users.memberUntil, sql`now()`),
    lte(users.memberUntil, sql`now() + ${window}`),
    or(isNull(users.membershipReminderSentAt), lt(users.membershipReminderSentAt, sql`${users.memberUntil} - ${window}`)),
  );
}

function renewLink(): string {
  const base = config().publicUrl;
  return base ? new URL("/vetting", base).toString() : "sign in to Liaison and open the Vetting page (/vetting)";
}

/**
 * Mails every member who is due a reminder, once. Each batch claims its members with a conditional UPDATE over
 * rows locked FOR UPDATE SKIP LOCKED and queues their mail in the same transaction: instances running at once
 * never claim the same member, and a claim never outlives a lost mail.
 */
export async function sendMembershipReminders(): Promise<number> {
  let total = 0;
  for (;;) {
    const claimed = await getDb().transaction(async (tx) => {
      const candidates = tx.select({ id: users.id }).from(users).where(due()).orderBy(asc(users.memberUntil)).limit(BATCH).for("update", { skipLocked: true });
      const rows = await tx
        .update(users)
        .set({ membershipReminderSentAt: sql`now()` })
        .where(and(inArray(users.id, candidates), due()))
        .returning({ email: users.email, name: users.name, memberUntil: users.memberUntil });
      for (const row of rows) await enqueueMail(membershipReminderMail(row.email, row.name, row.memberUntil!, renewLink()), tx);
      return rows.length;
    });
    total += claimed;
    if (claimed < BATCH) return total;
  }
}

/**
 * A periodic job (once per period across instances). Expiry is counted in days, so looking every ten minutes is
 * plenty; the claim above would keep even two runs at once from mailing anyone twice.
 */
export const membershipReminderJob = defineJob({
  name: "membership-reminders",
  payload: z.object({}),
  everySeconds: 10 * 60,
  retry: { limit: 2, delaySeconds: 60, backoff: true },
  timeoutSeconds: 600,
  run: async () => {
    await sendMembershipReminders();
  },
});
