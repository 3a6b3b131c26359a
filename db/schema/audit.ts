import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** Append-only: a trigger in the migrations refuses UPDATE and DELETE. No foreign keys, so entries outlive accounts. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint({ mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
    actorId: uuid(),
    action: text().notNull(),
    subjectType: text(),
    subjectId: text(),
    ip: text(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
  },
  // The admin page pages by id; the review page and the data export look entries up by subject.
  (t) => [
    index("audit_log_at_idx").on(t.at),
    index("audit_log_action_idx").on(t.action, t.id),
    index("audit_log_actor_idx").on(t.actorId, t.id),
    index("audit_log_subject_idx").on(t.subjectType, t.subjectId, t.id),
  ],
);

export type AuditEntry = typeof auditLog.$inferSelect;
