import { sql } from "drizzle-orm";
import { boolean, check, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./accounts.ts";

export const VETTING_STATUSES = ["submitted", "info_requested", "approved", "rejected", "withdrawn"] as const;
export type VettingStatus = (typeof VETTING_STATUSES)[number];

export const vettingApplications = pgTable(
  "vetting_applications",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    agency: text().notNull(),
    officialEmail: text().notNull(),
    officialEmailVerifiedAt: timestamp({ withTimezone: true }),
    officialDomainAllowlisted: boolean().notNull().default(false),
    sponsorName: text().notNull(),
    sponsorEmail: text().notNull(),
    reason: text().notNull(),
    status: text().$type<VettingStatus>().notNull().default("submitted"),
    /** The organizer's reason for a rejection, or their question when asking for more information. */
    decisionNote: text(),
    applicantReply: text(),
    decidedById: uuid().references(() => users.id, { onDelete: "set null" }),
    decidedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("vetting_applications_status_idx").on(t.status, t.createdAt),
    index("vetting_applications_user_idx").on(t.userId, t.createdAt),
    uniqueIndex("vetting_applications_one_open_per_user")
      .on(t.userId)
      .where(sql`${t.status} in ('submitted', 'info_requested')`),
    check(
      "vetting_applications_status_known",
      sql`${t.status} in ('submitted', 'info_requested', 'approved', 'rejected', 'withdrawn')`,
    ),
  ],
);

export const vettingVouches = pgTable(
  "vetting_vouches",
  {
    id: uuid().primaryKey().defaultRandom(),
    applicationId: uuid()
      .notNull()
      .references(() => vettingApplications.id, { onDelete: "cascade" }),
    /** Null once the voucher deleted their account: the vouch stays, anonymised, as the evidence a decision was made on. */
    voucherId: uuid().references(() => users.id, { onDelete: "set null" }),
    statement: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("vetting_vouches_one_per_voucher").on(t.applicationId, t.voucherId),
    index("vetting_vouches_voucher_idx").on(t.voucherId),
  ],
);

/** "gov" matches every .gov address; "cbp.dhs.gov" matches that domain and its subdomains. */
export const domainAllowlist = pgTable(
  "domain_allowlist",
  {
    domain: text().primaryKey(),
    note: text().notNull().default(""),
    addedById: uuid().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check("domain_allowlist_lowercase", sql`${t.domain} = lower(${t.domain})`)],
);

export type VettingApplication = typeof vettingApplications.$inferSelect;
