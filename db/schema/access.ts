import { sql, type SQL } from "drizzle-orm";
import { check, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { users } from "./accounts.ts";

/** Who may see a row: see app/.server/access/audience.ts for what each one means. */
export const AUDIENCES = ["public", "attendees", "members", "staff", "group"] as const;
export type Audience = (typeof AUDIENCES)[number];

const oneOf = (column: AnyPgColumn, values: readonly string[]): SQL =>
  sql`${column} in (${sql.join(values.map((value) => sql.raw(`'${value}'`)), sql`, `)})`;

/** The check constraint every table with an audience column carries, so no row holds an audience the model does not know. */
export function audienceCheck(name: string, column: AnyPgColumn) {
  return check(name, oneOf(column, AUDIENCES));
}

/**
 * An agency is a group like any other: membership is granted by staff or the group's managers, never derived from
 * the agency a user types into their own profile (anyone could claim any agency there).
 */
export const GROUP_KINDS = ["agency", "community", "list"] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

export const GROUP_ROLES = ["member", "manager"] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];

export const groups = pgTable(
  "groups",
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text().$type<GroupKind>().notNull(),
    name: text().notNull(),
    slug: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid().references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("groups_slug_key").on(t.slug),
    // One agency group per agency name (and one community or list per name): case does not make a second one.
    uniqueIndex("groups_kind_name_key").on(t.kind, sql`lower(${t.name})`),
    check("groups_kind_known", oneOf(t.kind, GROUP_KINDS)),
  ],
);

export const groupMembers = pgTable(
  "group_members",
  {
    groupId: uuid()
      .notNull()
      .references(() => groups.id, { onDelete: "cascade" }),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: text().$type<GroupRole>().notNull().default("member"),
    addedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    addedBy: uuid().references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    primaryKey({ columns: [t.groupId, t.userId] }),
    // The session check reads a user's groups on every signed-in request.
    index("group_members_user_idx").on(t.userId, t.groupId),
    check("group_members_role_known", oneOf(t.role, GROUP_ROLES)),
  ],
);

export type Group = typeof groups.$inferSelect;
export type GroupMember = typeof groupMembers.$inferSelect;
