/** Helpers for tests of the job queue: its rows as pg-boss stores them, and waiting for a condition. */
import { sql } from "drizzle-orm";
import { database, type DatabaseHandle } from "#db/client.ts";
import { JOB_SCHEMA } from "#app/.server/jobs/boss.ts";

export type JobRow = {
  id: string;
  state: "created" | "retry" | "active" | "completed" | "cancelled" | "failed";
  data: unknown;
  retry_count: number;
  started_on: Date | null;
  singleton_on: Date | null;
  /** Seconds from now until the job may start (negative once due). */
  starts_in: number;
};

/** Every job of one queue that is still in pg-boss's job table, oldest first. */
export async function jobRows(name: string, handle: DatabaseHandle = database()): Promise<JobRow[]> {
  const rows = await handle.rows<JobRow>(sql`
    select id, state, data, retry_count, started_on, singleton_on,
      extract(epoch from start_after - now())::float8 as starts_in
    from ${sql.raw(JOB_SCHEMA)}.job where name = ${name} order by created_on, id`);
  return rows.map((row) => ({ ...row, retry_count: Number(row.retry_count), starts_in: Number(row.starts_in) }));
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = "the condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A promise with its resolve, for holding a job inside its handler until the test lets go. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
