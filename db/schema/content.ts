import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

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
