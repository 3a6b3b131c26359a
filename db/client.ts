import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { sql, type SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import lockfile from "proper-lockfile";
import { EmbeddedClient } from "./pglite-client.ts";
import postgres from "postgres";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];
/** A transaction handle, or the database itself: data functions accept either. */
export type Executor = Transaction | Database;

export type DatabaseTarget =
  | { kind: "pglite"; dataDir: string } // "memory://" for a throwaway database
  | {
      kind: "postgres";
      url: string;
      max?: number;
      /** Cancels any statement that runs longer (the server's statement_timeout), so no query holds a connection for ever. */
      statementTimeoutMs?: number;
      /** Fails a query that waited this long for a free connection of the pool. */
      acquireTimeoutMs?: number;
    };

/** The driver underneath Drizzle, for the few callers that speak SQL text to it (the job queue). */
export type DatabaseDriver = { kind: "pglite"; client: PGlite } | { kind: "postgres"; client: postgres.Sql };

export type DatabaseHandle = {
  db: Database;
  target: DatabaseTarget;
  driver: DatabaseDriver;
  /** Runs one SQL statement and returns its rows, whatever the driver. */
  rows<T>(query: SQL): Promise<T[]>;
  close(): Promise<void>;
};

type QueryListener = (query: string) => void;
const LISTENERS = Symbol.for("liaison.query-listeners");
type GlobalWithListeners = typeof globalThis & { [LISTENERS]?: Set<QueryListener> };

function queryListeners(): Set<QueryListener> {
  const g = globalThis as GlobalWithListeners;
  g[LISTENERS] ??= new Set();
  return g[LISTENERS];
}

/** Calls `listener` with the SQL of every statement this process sends until the returned function is called. */
export function observeQueries(listener: QueryListener): () => void {
  queryListeners().add(listener);
  return () => queryListeners().delete(listener);
}

const logger = {
  logQuery(query: string) {
    for (const listener of queryListeners()) listener(query);
  },
};

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

export class DataDirectoryInUseError extends Error {
  constructor(dataDir: string) {
    super(
      `The embedded database in ${dataDir} is already open in another process. ` +
        `Stop that process, or point LIAISON_DATA_DIR at another directory.`,
    );
    this.name = "DataDirectoryInUseError";
  }
}

/**
 * Seconds before a connection of the pool tries again after an error. postgres.js's default grows to 20 s after a
 * few failures (shared by the whole pool), so after a short database cut queries waited up to 20 s for a connection
 * that could have been made at once; this stays at most one second.
 */
export const reconnectBackoff = (retries: number) => Math.min(0.05 * 2 ** retries, 1);

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target.kind === "postgres") {
    const client = postgres(target.url, {
      max: target.max ?? 10,
      onnotice: () => {},
      connect_timeout: 10,
      backoff: reconnectBackoff,
      // Set per connection at start-up: a statement stuck behind a lock gives its connection back after the timeout,
      // and a transaction left open by a crashed request cannot hold its locks for ever.
      connection: {
        ...(target.statementTimeoutMs ? { statement_timeout: target.statementTimeoutMs } : {}),
        idle_in_transaction_session_timeout: 60_000,
      },
    });
    if (target.acquireTimeoutMs) limitPoolWait(client, target.acquireTimeoutMs);
    const db = drizzlePostgres(client, { schema, casing: "snake_case", logger }) as unknown as Database;
    return {
      db,
      target,
      driver: { kind: "postgres", client },
      rows: async <T>(query: SQL) => (await db.execute(query)) as unknown as T[],
      close: () => client.end({ timeout: 5 }),
    };
  }

  const release = target.dataDir === "memory://" ? undefined : await lockDataDirectory(target.dataDir);
  // btree_gist backs the agenda's exclusion constraints (no room or speaker booked twice at once).
  const client = new EmbeddedClient({
    dataDir: target.dataDir === "memory://" ? undefined : target.dataDir,
    extensions: { btree_gist },
  });
  await client.waitReady;
  client.installTextParsers();
  const db = drizzlePglite(client, { schema, casing: "snake_case", logger }) as unknown as Database;
  return {
    db,
    target,
    driver: { kind: "pglite", client },
    rows: async <T>(query: SQL) => ((await db.execute(query)) as unknown as { rows: T[] }).rows,
    close: async () => {
      await client.close();
      await release?.();
    },
  };
}

/**
 * postgres.js queues a query while every connection of the pool is busy, with no limit on the wait. When a query has
 * not got a connection after `ms`, cancel it (a queued query is only taken off the queue): the request fails fast
 * with 57014 instead of waiting behind a pool that a held lock has filled.
 */
function limitPoolWait(client: postgres.Sql, ms: number): void {
  const unsafe = client.unsafe.bind(client);
  client.unsafe = ((...args: Parameters<postgres.Sql["unsafe"]>) => {
    const query = unsafe(...args);
    const then = query.then.bind(query);
    // postgres.js sends a query when it is first awaited; the clock starts then.
    query.then = ((onFulfilled, onRejected) => {
      const timer = setTimeout(() => {
        if ((query as unknown as { state: unknown }).state === null) void query.cancel();
      }, ms);
      return then(
        (value) => (clearTimeout(timer), value),
        (error: unknown) => {
          clearTimeout(timer);
          throw error;
        },
      ).then(onFulfilled, onRejected);
    }) as typeof query.then;
    return query;
  }) as postgres.Sql["unsafe"];
}

const LOCK_FS = {
  ...fs,
  rmdir: (dir: string, callback: (error: NodeJS.ErrnoException | null) => void) => fs.rm(dir, { recursive: true }, callback),
  rmdirSync: (dir: string) => fs.rmSync(dir, { recursive: true }),
};

type LockOwner = { pid: number; host: string };
const OWNER_FILE = "owner.json";

function lockOwnerAlive(lockDir: string): boolean {
  let owner: LockOwner;
  try {
    owner = JSON.parse(fs.readFileSync(path.join(lockDir, OWNER_FILE), "utf8")) as LockOwner;
  } catch {
    // Just created and not yet signed by its owner, or from an older version: treat it as held.
    return true;
  }
  // Another host's process cannot be checked from here; its lock goes stale by age alone.
  if (owner.host !== os.hostname()) return true;
  // In a container the restarted process may get the dead one's pid: our own pid in the lock is a previous life's.
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(owner.pid);
}

/**
 * A process killed with -9 whose parent died with it waits as a zombie until init reaps it, which some inits do late;
 * signal 0 still reaches it, but it has closed every file and cannot touch the database. Linux only (/proc).
 */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state === "Z" || state === "X";
  } catch {
    return false;
  }
}

/**
 * PGlite lets two processes open one directory and then corrupts it; a lock makes the second one fail first.
 * The lock records its owner's pid, so that after a crash (kill -9, power loss) the next start takes it over at
 * once instead of waiting for it to go stale.
 */
export async function lockDataDirectory(
  dataDir: string,
  options: { staleMs?: number; onCompromised?: (error: Error) => void } = {},
): Promise<() => Promise<void>> {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockDir = path.join(dataDir, ".liaison.lock");
  const lock = () =>
    lockfile.lock(dataDir, {
      lockfilePath: lockDir,
      // Only a lock whose owner cannot be checked (another host, a reused pid) waits to go stale, so the threshold can
      // be generous: a start-up that blocks the event loop for seconds (PGlite compiling on a busy machine) must not
      // count as a lost lock.
      stale: options.staleMs ?? 60_000,
      // The lock directory holds its owner's file, so removing it (on release, or when it went stale) must recurse.
      fs: LOCK_FS,
      // The lock vanished (the directory was deleted or taken over): another process may open the files now,
      // and writing on would corrupt them, so stop at once with a message rather than a stack trace.
      onCompromised:
        options.onCompromised ??
        ((error) => {
          process.stderr.write(`Lost the lock on the embedded database in ${dataDir} (${error.message}); stopping.\n`);
          process.exit(1);
        }),
    });
  let release: () => Promise<void>;
  try {
    release = await lock();
  } catch (error) {
    if ((error as { code?: string }).code !== "ELOCKED") throw error;
    if (lockOwnerAlive(lockDir)) throw new DataDirectoryInUseError(dataDir);
    fs.rmSync(lockDir, { recursive: true, force: true });
    try {
      release = await lock();
    } catch (again) {
      // Another process took the freed lock first.
      if ((again as { code?: string }).code === "ELOCKED") throw new DataDirectoryInUseError(dataDir);
      throw again;
    }
  }
  const owner: LockOwner = { pid: process.pid, host: os.hostname() };
  // The lock library checks that the directory's mtime is still the one it set, to know the lock is its own; adding a
  // file changes that mtime, so put it back.
  const { atime, mtime } = fs.statSync(lockDir);
  fs.writeFileSync(path.join(lockDir, OWNER_FILE), JSON.stringify(owner));
  fs.utimesSync(lockDir, atime, mtime);
  return release;
}

const MIGRATION_LOCK = 7_340_217;

export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.target.kind === "pglite") {
    await migratePglite(handle.db as never, { migrationsFolder });
    return;
  }
  // One connection, so that the advisory lock and the migration share a session: instances starting together migrate once.
  const client = postgres(handle.target.url, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migratePostgres(drizzlePostgres(client, { casing: "snake_case" }), { migrationsFolder });
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

// The server entry and the Remix server build each get their own copy of this module; the handle lives on
// globalThis so that both talk to one database (PGlite allows one instance per directory).
const HANDLE = Symbol.for("liaison.database");
type GlobalWithHandle = typeof globalThis & { [HANDLE]?: DatabaseHandle };

export function installDatabase(handle: DatabaseHandle | undefined): void {
  (globalThis as GlobalWithHandle)[HANDLE] = handle;
}

export function database(): DatabaseHandle {
  const handle = (globalThis as GlobalWithHandle)[HANDLE];
  if (!handle) throw new Error("The database has not been opened: call installDatabase() at start-up.");
  return handle;
}

/** The Drizzle database of this process. */
export function getDb(): Database {
  return database().db;
}

/** postgres.js's own codes for a lost or refused connection, and the socket errors beneath them. */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
]);

/**
 * Postgres SQLSTATEs that say "the database cannot serve you now": connection exceptions (class 08), shutdown and
 * start-up (57P01-57P03), a statement cancelled by statement_timeout or by the pool's wait limit (57014), too many
 * connections (53300), a lock not granted in time (55P03).
 */
function unavailableSqlState(code: string): boolean {
  return code.startsWith("08") || ["57P01", "57P02", "57P03", "57014", "53300", "55P03"].includes(code);
}

/** True when the error (or one it wraps, as Drizzle does) means the database is out of reach, not that a query was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || unavailableSqlState(code))) return true;
    if (current instanceof Error && /PGlite is closed/.test(current.message)) return true;
  }
  return false;
}

/** Checks that the database answers, within `timeoutMs` if given (a full pool or a held lock fails it then). */
export async function ping(timeoutMs?: number): Promise<void> {
  const query = database().rows(sql`select 1 as ok`);
  if (timeoutMs === undefined) return void (await query);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`The database did not answer within ${timeoutMs} ms.`)), timeoutMs);
  });
  try {
    await Promise.race([query, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
