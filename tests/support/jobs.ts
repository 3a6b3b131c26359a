/** Helpers for tests of the job queue: its rows as pg-boss stores them, and waiting for a condition. */
import { sql } from "drizzle-orm";
import { database, type DatabaseHandle } from "#db/client.ts";
import { JOB_SCHEMA } from "#app/.server/jobs/boss.ts";
import type { JobDefinition } from "#app/.server/jobs/define.ts";

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

/**
 * Runs the queued jobs of one queue here and now, as the worker would, and takes them off the queue: for tests of
 * what a job does after the change that queued it, without a worker running.
 */
export async function runQueuedJobs<Payload>(job: JobDefinition<Payload>, handle: DatabaseHandle = database()): Promise<number> {
  const due = (await jobRows(job.name, handle)).filter((row) => row.state === "created" || row.state === "retry");
  for (const row of due) {
    await job.run(job.payload.parse(row.data), { id: row.id, attempt: row.retry_count + 1, lastAttempt: false, signal: new AbortController().signal });
    await handle.rows(sql`delete from ${sql.raw(JOB_SCHEMA)}.job where id = ${row.id}::uuid`);
  }
  return due.length;
}
