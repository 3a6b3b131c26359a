import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./accounts.ts";
import { conferences, programSessions } from "./agenda.ts";

const listed = (values: readonly string[]) => sql.raw(values.map((value) => `'${value}'`).join(", "));

export const ATTENDEE_CATEGORIES = ["us_federal", "state_local_tribal", "international", "private_sector"] as const;
export type AttendeeCategory = (typeof ATTENDEE_CATEGORIES)[number];

export const REGISTRATION_STATUSES = ["submitted", "approved", "waitlisted", "declined", "cancelled", "checked_in"] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

/** The states that hold one of the conference's seats. */
export const SEATED_STATUSES = ["approved", "checked_in"] as const satisfies readonly RegistrationStatus[];

/** manual: organizers decide every registration; members: vetted members are approved at once; open: everyone is, while seats last. */
export const APPROVAL_MODES = ["manual", "members", "open"] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/**
 * A conference's registration rules and its seat ledger. `seatsTaken` counts the approved and checked-in
 * registrations and the pending invitations (each holds a seat); every change to it happens under this row's lock,
 * in the transaction that changes the registration, so no seat is given twice. A trigger in the migration makes the
 * row with the conference.
 */
export const registrationSettings = pgTable(
  "registration_settings",
  {
    conferenceId: uuid()
      .primaryKey()
      .references(() => conferences.id, { onDelete: "cascade" }),
    /** Null: no limit. */
    capacity: integer(),
    seatsTaken: integer().notNull().default(0),
    /** Until when attendees may change their answers or cancel; null: until the conference starts. */
    changeDeadline: timestamp({ withTimezone: true }),
    approval: text().$type<ApprovalMode>().notNull().default("manual"),
    membersOnlyCategories: text().array().$type<AttendeeCategory[]>().notNull().default(sql`'{}'::text[]`),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("registration_settings_capacity_positive", sql`${t.capacity} is null or ${t.capacity} > 0`),
    check("registration_settings_seats_taken_not_negative", sql`${t.seatsTaken} >= 0`),
    check("registration_settings_approval_known", sql`${t.approval} in (${listed(APPROVAL_MODES)})`),
  ],
);

export const registrations = pgTable(
  "registrations",
  {
    id: uuid().primaryKey().defaultRandom(),
    conferenceId: uuid()
      .notNull()
      .references(() => conferences.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text().$type<RegistrationStatus>().notNull(),
    category: text().$type<AttendeeCategory>().notNull(),
    agency: text().notNull(),
    jobTitle: text().notNull(),
    /** ISO 3166-1 alpha-2. */
    country: text().notNull(),
    arrivalOn: date({ mode: "string" }).notNull(),
    departureOn: date({ mode: "string" }).notNull(),
    dietaryNeeds: text().notNull().default(""),
    accessibilityNeeds: text().notNull().default(""),
    directoryConsent: boolean().notNull().default(false),
    /** Set while waitlisted: the queue is first come, first served by this time. */
    waitlistedAt: timestamp({ withTimezone: true }),
    decisionReason: text(),
    decidedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    decidedAt: timestamp({ withTimezone: true }),
    checkedInAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One registration per person per conference: a double submit finds the first.
    uniqueIndex("registrations_conference_user_key").on(t.conferenceId, t.userId),
    index("registrations_user_idx").on(t.userId, t.conferenceId, t.status),
    index("registrations_waitlist_idx").on(t.conferenceId, t.waitlistedAt).where(sql`${t.status} = 'waitlisted'`),
    index("registrations_conference_status_idx").on(t.conferenceId, t.status),
    check("registrations_status_known", sql`${t.status} in (${listed(REGISTRATION_STATUSES)})`),
    check("registrations_category_known", sql`${t.category} in (${listed(ATTENDEE_CATEGORIES)})`),
    check("registrations_dates_ordered", sql`${t.departureOn} >= ${t.arrivalOn}`),
    check("registrations_waitlisted_queued", sql`(${t.status} = 'waitlisted') = (${t.waitlistedAt} is not null)`),
  ],
);

export const INVITATION_STATUSES = ["pending", "accepted", "revoked"] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** An organizer's invitation: while pending it holds a seat of the ledger; accepting it approves without moderation. */
export const registrationInvitations = pgTable(
  "registration_invitations",
  {
    id: uuid().primaryKey().defaultRandom(),
    conferenceId: uuid()
      .notNull()
      .references(() => conferences.id, { onDelete: "cascade" }),
    email: text().notNull(),
    /** SHA-256 of the link's token; the token itself is only in the mail. */
    tokenHash: text().notNull(),
    status: text().$type<InvitationStatus>().notNull().default("pending"),
    invitedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    registrationId: uuid().references(() => registrations.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    acceptedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex("registration_invitations_token_key").on(t.tokenHash),
    // One open invitation per address and conference.
    uniqueIndex("registration_invitations_pending_email_key").on(t.conferenceId, sql`lower(${t.email})`).where(sql`${t.status} = 'pending'`),
    check("registration_invitations_status_known", sql`${t.status} in (${listed(INVITATION_STATUSES)})`),
  ],
);

/** The seat ledger of one session: a row per session, made by a trigger; its capacity is the session's. */
export const breakoutSeats = pgTable(
  "breakout_seats",
  {
    sessionId: uuid()
      .primaryKey()
      .references(() => programSessions.id, { onDelete: "cascade" }),
    seatsTaken: integer().notNull().default(0),
  },
  (t) => [check("breakout_seats_taken_not_negative", sql`${t.seatsTaken} >= 0`)],
);

export const SIGNUP_STATUSES = ["confirmed", "waitlisted", "cancelled"] as const;
export type SignupStatus = (typeof SIGNUP_STATUSES)[number];

export const breakoutSignups = pgTable(
  "breakout_signups",
  {
    id: uuid().primaryKey().defaultRandom(),
    sessionId: uuid()
      .notNull()
      .references(() => programSessions.id, { onDelete: "cascade" }),
    registrationId: uuid()
      .notNull()
      .references(() => registrations.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text().$type<SignupStatus>().notNull(),
    waitlistedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("breakout_signups_session_user_key").on(t.sessionId, t.userId),
    index("breakout_signups_registration_idx").on(t.registrationId, t.status),
    index("breakout_signups_waitlist_idx").on(t.sessionId, t.waitlistedAt).where(sql`${t.status} = 'waitlisted'`),
    check("breakout_signups_status_known", sql`${t.status} in (${listed(SIGNUP_STATUSES)})`),
    check("breakout_signups_waitlisted_queued", sql`(${t.status} = 'waitlisted') = (${t.waitlistedAt} is not null)`),
  ],
);

export const CHECK_IN_OUTCOMES = ["checked_in", "duplicate", "refused"] as const;
export type CheckInOutcome = (typeof CHECK_IN_OUTCOMES)[number];

/** Every scan at the door, online or sent later from a phone's queue; `scanId` (the phone's) makes a resend harmless. */
export const checkIns = pgTable(
  "check_ins",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    conferenceId: uuid()
      .notNull()
      .references(() => conferences.id, { onDelete: "cascade" }),
    /** Null when the code was not a badge of this conference. */
    registrationId: uuid().references(() => registrations.id, { onDelete: "set null" }),
    scanId: uuid().notNull(),
    outcome: text().$type<CheckInOutcome>().notNull(),
    reason: text(),
    /** When the phone scanned it (may be long before it reached us). */
    scannedAt: timestamp({ withTimezone: true }).notNull(),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    scannedBy: uuid().references(() => users.id, { onDelete: "set null" }),
    offline: boolean().notNull().default(false),
  },
  (t) => [
    uniqueIndex("check_ins_scan_key").on(t.scanId),
    index("check_ins_conference_idx").on(t.conferenceId, t.id),
    index("check_ins_registration_idx").on(t.registrationId),
    check("check_ins_outcome_known", sql`${t.outcome} in (${listed(CHECK_IN_OUTCOMES)})`),
  ],
);

export type RegistrationSettings = typeof registrationSettings.$inferSelect;
export type Registration = typeof registrations.$inferSelect;
export type RegistrationInvitation = typeof registrationInvitations.$inferSelect;
export type BreakoutSignup = typeof breakoutSignups.$inferSelect;
export type CheckIn = typeof checkIns.$inferSelect;
