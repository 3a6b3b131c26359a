import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

/** Roles granted by an admin. "attendee" (a verified email) and "member" (an unexpired vetting) are derived. */
export const GRANTED_ROLES = ["speaker", "moderator", "organizer", "admin"] as const;
export type GrantedRole = (typeof GRANTED_ROLES)[number];

export const users = pgTable(
  "users",
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text().notNull(),
    emailVerifiedAt: timestamp({ withTimezone: true }),
    passwordHash: text().notNull(),
    name: text().notNull(),
    agency: text().notNull(),
    jobTitle: text().notNull(),
    country: text().notNull(),
    roles: text().array().$type<GrantedRole[]>().notNull().default(sql`'{}'::text[]`),
    memberUntil: timestamp({ withTimezone: true }),
    membershipReminderSentAt: timestamp({ withTimezone: true }),
    status: text().$type<"active" | "suspended">().notNull().default("active"),
    suspendedReason: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    check("users_email_lowercase", sql`${t.email} = lower(${t.email})`),
    check("users_status_known", sql`${t.status} in ('active', 'suspended')`),
  ],
);

/** Only the SHA-256 of the session token is stored: a database leak does not hand out sessions. */
export const sessions = pgTable(
  "sessions",
  {
    id: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    mfaVerifiedAt: timestamp({ withTimezone: true }),
    ip: text(),
    userAgent: text(),
  },
  (t) => [index("sessions_user_id_idx").on(t.userId)],
);

export const TOKEN_PURPOSES = ["verify-email", "change-email", "reset-password", "verify-official-email"] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** Single-use links sent by mail. */
export const userTokens = pgTable(
  "user_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text().$type<TokenPurpose>().notNull(),
    tokenHash: text().notNull(),
    email: text().notNull(),
    subjectId: uuid(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("user_tokens_token_hash_key").on(t.tokenHash),
    index("user_tokens_user_id_idx").on(t.userId),
    // One link of each purpose per account can be out at a time: a newer one replaces the older.
    uniqueIndex("user_tokens_one_unused_per_purpose").on(t.userId, t.purpose).where(sql`${t.usedAt} is null`),
  ],
);

export const totpCredentials = pgTable("totp_credentials", {
  userId: uuid()
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  /** AES-256-GCM sealed key, base64. */
  sealedKey: text().notNull(),
  lastUsedStep: integer(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text().notNull(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;
