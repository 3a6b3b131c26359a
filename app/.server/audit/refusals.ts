import { sql } from "drizzle-orm";
import { getDb, type Transaction } from "#db/client.ts";
import { recordAudit, type AuditAction } from "./log.ts";

/**
 * Refusals that an attacker can repeat at will (a throttled sign-in) are counted per address and window instead of
 * written one by one: the audit log can never be pruned, and a row per refusal at a hundred a second would fill it
 * with whatever the attacker typed. Housekeeping turns each finished window into one audit row with its count.
 */
export const REFUSAL_WINDOW_SECONDS = 15 * 60;

const PREFIX = "refused|";

export async function countRefusal(action: AuditAction, ip: string | null): Promise<void> {
  await getDb().execute(sql`
    insert into rate_limits as r (key, window_start, count)
    values (${`${PREFIX}${action}|${ip ?? ""}`},
            to_timestamp(floor(extract(epoch from now()) / ${REFUSAL_WINDOW_SECONDS}) * ${REFUSAL_WINDOW_SECONDS}), 1)
    on conflict (key, window_start) do update set count = r.count + 1`);
}

/**
 * Writes one audit row per finished window (`until`: windows that ended by then; now by default) and drops its
 * counter, in the caller's transaction: two sweeps at once cannot both write a window, since the delete claims it.
 */
export async function flushRefusalCounts(tx: Transaction, until: Date | null = null): Promise<number> {
  const cutoff = until ? sql`${until.toISOString()}::timestamptz` : sql`now()`;
  const result = await tx.execute(sql`
    delete from rate_limits
    where starts_with(key, ${PREFIX}) and window_start + make_interval(secs => ${REFUSAL_WINDOW_SECONDS}) <= ${cutoff}
    returning key, window_start, count`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { key: string; window_start: string | Date; count: number }[];
  rows.sort((a, b) => new Date(a.window_start).getTime() - new Date(b.window_start).getTime() || (a.key < b.key ? -1 : 1));
  for (const row of rows) {
    const [, action, ip] = row.key.split("|") as [string, AuditAction, string];
    const from = new Date(row.window_start);
    await recordAudit(
      {
        action,
        ip: ip || null,
        details: { count: Number(row.count), from: from.toISOString(), until: new Date(from.getTime() + REFUSAL_WINDOW_SECONDS * 1000).toISOString() },
      },
      tx,
    );
  }
  return rows.length;
}
