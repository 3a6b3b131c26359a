import { sql } from "drizzle-orm";
import { bigint, boolean, check, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Site pages rendered from content/pages/*.md at start-up. */
export const contentPages = pgTable("content_pages", {
  slug: text().primaryKey(),
  title: text().notNull(),
  summary: text().notNull(),
  navOrder: integer(),
  html: text().notNull(),
  sourcePath: text().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export type ContentPage = typeof contentPages.$inferSelect;

/**
 * One row: a number bumped in the same transaction as any change to published content (pages, the public program).
 * Rendered anonymous pages are cached per version, so a change is visible as soon as its transaction commits.
 */
export const contentVersion = pgTable(
  "content_version",
  {
    id: boolean().primaryKey().default(true),
    version: bigint({ mode: "number" }).notNull().default(1),
  },
  (table) => [check("content_version_single_row", sql`${table.id}`)],
);
