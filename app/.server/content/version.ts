import { eq, sql } from "drizzle-orm";
import { getDb, type Transaction } from "#db/client.ts";
import { contentVersion } from "#db/schema/content.ts";

/**
 * The version of published content. Anonymous pages are cached per version (http/render-cache.ts): an instance
 * re-reads it at most once a second, and the instance that changed content reads it again right after its commit.
 */
const MAX_AGE_MS = 1_000;

type Known = { version: number; readAt: number; db: unknown };
const STATE = Symbol.for("liaison.content-version");
type GlobalWithVersion = typeof globalThis & { [STATE]?: { known?: Known; reading?: Promise<number> } };

function state() {
  const g = globalThis as GlobalWithVersion;
  g[STATE] ??= {};
  return g[STATE];
}

/** Marks published content as changed; call inside the transaction that changes it (see `changeContent`). */
export async function bumpContentVersion(tx: Transaction): Promise<void> {
  await tx
    .update(contentVersion)
    .set({ version: sql`${contentVersion.version} + 1` })
    .where(eq(contentVersion.id, true));
}

async function readVersion(): Promise<number> {
  const s = state();
  // Concurrent callers share one read: a burst of requests after the second is up costs one query.
  s.reading ??= (async () => {
    try {
      const db = getDb();
      const [row] = await db.select({ version: contentVersion.version }).from(contentVersion);
      const version = row?.version ?? 0;
      s.known = { version, readAt: Date.now(), db };
      return version;
    } finally {
      s.reading = undefined;
    }
  })();
  return s.reading;
}

/** The current version: from memory when read less than a second ago, else from the database. */
export function currentContentVersion(): number | Promise<number> {
  const known = state().known;
  if (known && known.db === getDb() && Date.now() - known.readAt < MAX_AGE_MS) return known.version;
  return readVersion();
}

/** Forgets the remembered version, so the next request reads it again. */
export function forgetContentVersion(): void {
  state().known = undefined;
}

/**
 * The one way to change published content: the work and the version bump commit together, and this instance
 * serves the new content from the next request on.
 */
export async function changeContent<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
  const result = await getDb().transaction(async (tx) => {
    const value = await work(tx);
    await bumpContentVersion(tx);
    return value;
  });
  forgetContentVersion();
  return result;
}

type Kept = { version: number; db: unknown; value: Promise<unknown> };
const KEPT = Symbol.for("liaison.per-content-version");
const MAX_KEPT = 200;
type GlobalWithKept = typeof globalThis & { [KEPT]?: Map<string, Kept> };

/**
 * `load()` once per content version and key in this process: for what only published content decides (the footer,
 * the current edition, the public program's frame), which every page would otherwise read again. The promise is
 * kept, so a burst shares one read; a failed read is forgotten.
 */
export async function perContentVersion<T>(key: string, load: () => Promise<T>): Promise<T> {
  const g = globalThis as GlobalWithKept;
  const kept = (g[KEPT] ??= new Map());
  const db = getDb();
  const version = await currentContentVersion();
  const found = kept.get(key);
  if (found && found.db === db && found.version === version) return found.value as Promise<T>;
  if (kept.size >= MAX_KEPT) kept.clear();
  const value = load();
  kept.set(key, { version, db, value });
  value.catch(() => {
    if (kept.get(key)?.value === value) kept.delete(key);
  });
  return value;
}
