import PgBoss from "pg-boss";
import postgres from "postgres";
import { sql, type SQL } from "drizzle-orm";
import { reconnectBackoff, type DatabaseDriver, type DatabaseTarget, type Transaction } from "#db/client.ts";

/** pg-boss keeps its tables in this schema; db/migrations creates it (see README, "Jobs"). */
export const JOB_SCHEMA = "pgboss";

/** The channel on which a committed enqueue names its queue (Postgres sends a notification only at commit). */
export const JOBS_CHANNEL = "liaison_jobs";

/**
 * Calls `wake` with a queue's name whenever a transaction that enqueued on it commits, on any instance. On the server
 * postgres.js listens on a connection of its own and listens again after a reconnect. Returns the way to stop.
 */
export async function listenForJobs(driver: DatabaseDriver, wake: (queue: string) => void): Promise<() => Promise<void>> {
  if (driver.kind === "pglite") return driver.client.listen(JOBS_CHANNEL, wake);
  const { unlisten } = await driver.client.listen(JOBS_CHANNEL, wake);
  return unlisten;
}

type Rows = { rows: Record<string, unknown>[] };
type BossDb = { executeSql(text: string, values?: unknown[]): Promise<Rows> };

/**
 * pg-boss 10 passes undefined for options left out, which postgres.js refuses, and objects for json parameters, which
 * PGlite and Drizzle take as JSON text (postgres.js serializes them itself: `stringify: false` there).
 */
function toParams(values: unknown[] | undefined, stringify = true): unknown[] {
  return (values ?? []).map((value) => {
    if (value === undefined) return null;
    if (stringify && value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date)) return JSON.stringify(value);
    return value;
  });
}

/** Scripts wrapped in BEGIN … COMMIT (maintenance, schema checks) need one connection from start to end. */
const SCRIPT = /^\s*BEGIN\s*;/i;

/**
 * pg-boss's own connection. On the server it gets a small pool of its own, so polling and maintenance never wait
 * behind (or hold up) the requests' pool; on PGlite it shares the one connection of the process.
 */
export function bossConnection(driver: DatabaseDriver, target: DatabaseTarget): { db: BossDb; close(): Promise<void> } {
  if (driver.kind === "pglite") {
    const pglite = driver.client;
    return {
      db: {
        async executeSql(text, values) {
          if (values?.length) return { rows: (await pglite.query<Record<string, unknown>>(text, toParams(values))).rows };
          try {
            const results = await pglite.exec(text);
            return { rows: results.flatMap((result) => result.rows as Record<string, unknown>[]) };
          } catch (error) {
            // A failed statement inside a script leaves its transaction open on the only connection.
            if (SCRIPT.test(text)) await pglite.exec("ROLLBACK").catch(() => {});
            throw error;
          }
        },
      },
      close: async () => {},
    };
  }
  if (target.kind !== "postgres") throw new Error("A postgres driver needs a postgres target.");
  const client = postgres(target.url, {
    max: 2,
    onnotice: () => {},
    connect_timeout: 10,
    backoff: reconnectBackoff,
    connection: {
      application_name: "liaison-jobs",
      ...(target.statementTimeoutMs ? { statement_timeout: Math.max(target.statementTimeoutMs, 30_000) } : {}),
      idle_in_transaction_session_timeout: 60_000,
    },
  });
  return {
    db: {
      async executeSql(text, values) {
        if (!SCRIPT.test(text)) return { rows: [...(await client.unsafe(text, toParams(values, false) as postgres.ParameterOrJSON<never>[]))] };
        // postgres.js refuses BEGIN on a pool (UNSAFE_TRANSACTION): run the script on a connection of its own.
        const reserved = await client.reserve();
        try {
          return { rows: [...(await reserved.unsafe(text).simple())].flat() as Record<string, unknown>[] };
        } catch (error) {
          await reserved.unsafe("ROLLBACK").catch(() => {});
          throw error;
        } finally {
          reserved.release();
        }
      },
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/**
 * pg-boss speaking through the caller's Drizzle transaction, so that a job is written (or rolled back) with the
 * change that causes it. The SQL's $n placeholders become Drizzle parameters; this works the same on both drivers.
 * (pg-boss's own PGlite adapter sends a ROLLBACK of its own on an error, which would end the caller's transaction.)
 */
export function transactionConnection(tx: Transaction): BossDb {
  return {
    async executeSql(text, values) {
      const params = toParams(values);
      const chunks: SQL[] = text.split(/\$(\d+)/).map((part, index) => (index % 2 === 0 ? sql.raw(part) : sql`${params[Number(part) - 1]}`));
      const result = (await tx.execute(sql.join(chunks))) as unknown as Record<string, unknown>[] | Rows;
      return { rows: Array.isArray(result) ? result : result.rows };
    },
  };
}

/** Archive and retention windows: a periodic job's period must fit in the archive window (see define.ts). */
export const ARCHIVE_COMPLETED_SECONDS = 12 * 3600;

export function createBoss(db: BossDb, options: { maintenanceIntervalSeconds?: number } = {}): PgBoss {
  return new PgBoss({
    db: db as PgBoss.Db,
    schema: JOB_SCHEMA,
    // The schema comes from db/migrations; a pg-boss upgrade without its migration stops the start with a clear error.
    migrate: false,
    // Periodic jobs use throttled sends (jobs/worker.ts), not pg-boss's cron, whose smallest period is a minute.
    schedule: false,
    supervise: true,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
    archiveCompletedAfterSeconds: ARCHIVE_COMPLETED_SECONDS,
    archiveFailedAfterSeconds: 7 * 24 * 3600,
    deleteAfterDays: 30,
  });
}
