import { and, asc, desc, eq, gt, ilike, inArray, lt, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { AUDIT_ACTIONS } from "../audit/log.ts";
import type { FieldErrors } from "#app/shared/form-reply.ts";
import { PAGE_SIZE } from "./context.ts";
import { assertPermission, type Actor } from "../accounts/permissions.ts";
import { likePattern } from "../http/search.ts";
import { plainString } from "../http/text.ts";

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional());
const day = z.iso.date("Use a date such as 2025-03-31.");
const cursor = z.coerce.number().int().positive();

export const AuditFilterSchema = z
  .object({
    action: optional(z.enum(AUDIT_ACTIONS, "Choose an action from the list.")),
    actor: optional(plainString().trim().toLowerCase().max(254, "That is too long for an email address.")),
    subject: optional(z.uuid("Open this filter from an account's page.")),
    from: optional(day),
    to: optional(day),
    before: optional(cursor),
    after: optional(cursor),
  })
  .refine((filter) => !filter.from || !filter.to || filter.from <= filter.to, { path: ["to"], message: "The end date is before the start date." });
export type AuditFilter = z.output<typeof AuditFilterSchema>;

export function parseAuditFilter(params: URLSearchParams): { ok: true; filter: AuditFilter } | { ok: false; errors: FieldErrors } {
  const keys = ["action", "actor", "subject", "from", "to", "before", "after"] as const;
  const result = AuditFilterSchema.safeParse(Object.fromEntries(keys.map((key) => [key, params.get(key)])));
  if (result.success) return { ok: true, filter: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) (errors[String(issue.path[0] ?? "form")] ??= []).push(issue.message);
  return { ok: false, errors };
}

const actorUser = alias(users, "actor_user");
const subjectUser = alias(users, "subject_user");

/** Dates are days in UTC; "to" includes its whole day. */
function conditions(filter: AuditFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.action) where.push(eq(auditLog.action, filter.action));
  if (filter.actor) {
    where.push(inArray(auditLog.actorId, getDb().select({ id: users.id }).from(users).where(ilike(users.email, likePattern(filter.actor)))));
  }
  if (filter.subject) where.push(eq(auditLog.subjectId, filter.subject));
  if (filter.from) where.push(sql`${auditLog.at} >= (${filter.from}::date)::timestamp at time zone 'UTC'`);
  if (filter.to) where.push(sql`${auditLog.at} < (${filter.to}::date + 1)::timestamp at time zone 'UTC'`);
  return where;
}

/**
 * One page of the log, newest first, paged by entry id (keyset): `before` goes to older entries, `after` to newer.
 * Read-only: the log is append-only and nothing here changes it.
 */
export async function listAuditEntries(actor: Actor, filter: AuditFilter) {
  assertPermission(actor, "read:audit");
  const db = getDb();
  const base = conditions(filter);
  const towardsNewer = filter.after !== undefined;
  const cursorCondition = towardsNewer ? gt(auditLog.id, filter.after!) : filter.before !== undefined ? lt(auditLog.id, filter.before) : undefined;
  const rows = await db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      actorId: auditLog.actorId,
      actorEmail: actorUser.email,
      subjectType: auditLog.subjectType,
      subjectId: auditLog.subjectId,
      subjectEmail: subjectUser.email,
      ip: auditLog.ip,
      details: auditLog.details,
    })
    .from(auditLog)
    .leftJoin(actorUser, eq(actorUser.id, auditLog.actorId))
    .leftJoin(subjectUser, and(eq(auditLog.subjectType, "user"), sql`${subjectUser.id}::text = ${auditLog.subjectId}`))
    .where(and(...base, cursorCondition))
    .orderBy(towardsNewer ? asc(auditLog.id) : desc(auditLog.id))
    .limit(PAGE_SIZE);
  if (towardsNewer) rows.reverse();

  const exists = async (condition: SQL) =>
    (await db.select({ id: auditLog.id }).from(auditLog).where(and(...base, condition)).limit(1)).length > 0;
  const newest = rows[0]?.id;
  const oldest = rows.at(-1)?.id;
  const [hasNewer, hasOlder] = await Promise.all([
    newest === undefined ? false : exists(gt(auditLog.id, newest)),
    oldest === undefined ? false : exists(lt(auditLog.id, oldest)),
  ]);
  return { rows, newer: hasNewer ? newest! : null, older: hasOlder ? oldest! : null };
}
