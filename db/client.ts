import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
import { sql, type SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import lockfile from "proper-lockfile";
import postgres from "postgres";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle, or the database itself: data functions accept either. */
export type Executor = Parameters<Parameters<Database["transaction"]>[0]>[0] | Database;

export type DatabaseTarget =
  | { kind: "pglite"; dataDir: string } // "memory://" for a throwaway database
  | { kind: "postgres"; url: string; max?: number };

export type DatabaseHandle = {
  db: Database;
  target: DatabaseTarget;
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

export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  if (target.kind === "postgres") {
    const client = postgres(target.url, { max: target.max ?? 10, onnotice: () => {} });
    const db = drizzlePostgres(client, { schema, casing: "snake_case", logger }) as unknown as Database;
    return {
      db,
      target,
      rows: async <T>(query: SQL) => (await db.execute(query)) as unknown as T[],
      close: () => client.end({ timeout: 5 }),
    };
  }

  let release: (() => Promise<void>) | undefined;
  if (target.dataDir !== "memory://") {
    fs.mkdirSync(target.dataDir, { recursive: true });
    // PGlite lets two processes open one directory and then corrupts it; a lock makes the second one fail first.
    try {
      release = await lockfile.lock(target.dataDir, {
        lockfilePath: path.join(target.dataDir, ".liaison.lock"),
        stale: 15_000,
        // The lock vanished (the directory was deleted or taken over): another process may open the files now,
        // and writing on would corrupt them, so stop at once with a message rather than a stack trace.
        onCompromised: (error) => {
          process.stderr.write(`Lost the lock on the embedded database in ${target.dataDir} (${error.message}); stopping.\n`);
          process.exit(1);
        },
      });
    } catch (error) {
      if ((error as { code?: string }).code === "ELOCKED") throw new DataDirectoryInUseError(target.dataDir);
      throw error;
    }
  }
  // btree_gist backs the agenda's exclusion constraints (no room or speaker booked twice at once).
  const client = new PGlite({
    dataDir: target.dataDir === "memory://" ? undefined : target.dataDir,
    extensions: { btree_gist },
  });
  const db = drizzlePglite(client, { schema, casing: "snake_case", logger }) as unknown as Database;
  return {
    db,
    target,
    rows: async <T>(query: SQL) => ((await db.execute(query)) as unknown as { rows: T[] }).rows,
    close: async () => {
      await client.close();
      await release?.();
    },
  };
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

export async function ping(): Promise<void> {
  await database().rows(sql`select 1 as ok`);
}
