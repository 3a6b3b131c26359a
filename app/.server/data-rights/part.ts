import type { PgTable } from "drizzle-orm/pg-core";
import type { Transaction } from "#db/client.ts";

/** What an erasure may need besides the user: absolute links for the mail it sends to others (a waitlist promotion). */
export type EraseContext = { links: { link: (path: string) => string } };

/**
 * One module's share of an account's data. `export` returns the module's top-level sections of the download;
 * `erase` undoes what a plain cascade would leave wrong (counters, waitlists) before the user row goes. `tables`
 * names every table of the module that references users(id), so a new one without a part fails a test.
 */
export type DataPart<Sections extends Record<string, unknown> = Record<string, unknown>> = {
  name: string;
  tables: readonly PgTable[];
  export(tx: Transaction, userId: string): Promise<Sections>;
  erase?(tx: Transaction, userId: string, context: EraseContext): Promise<void>;
};

/** Keeps each part's section types, so the assembled export is typed key by key. */
export function dataPart<Sections extends Record<string, unknown>>(part: DataPart<Sections>): DataPart<Sections> {
  return part;
}
