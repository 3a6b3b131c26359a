import type { Transaction } from "#db/client.ts";
import { auditLog } from "#db/schema/audit.ts";

/** Every action the log records: one list, for the type and for the filter of the audit page. */
export const AUDIT_ACTIONS = [
  "auth.sign_in",
  "auth.sign_in_failed",
  "auth.mfa_verified",
  "auth.sign_in_throttled",
  "auth.sign_out",
  "auth.sessions_ended",
  "account.created",
  "account.email_verified",
  "account.email_changed",
  "account.password_changed",
  "account.password_reset",
  "account.profile_updated",
  "account.exported",
  "account.deleted",
  "mfa.enrolled",
  "mfa.disabled",
  "mfa.recovery_code_used",
  "mfa.recovery_codes_regenerated",
  "mfa.failed",
  "role.granted",
  "role.revoked",
  "vetting.applied",
  "vetting.vouched",
  "vetting.approved",
  "vetting.rejected",
  "vetting.info_requested",
  "vetting.info_provided",
  "vetting.withdrawn",
  "vetting.official_email_verified",
  "allowlist.added",
  "allowlist.removed",
  "member.suspended",
  "member.reinstated",
  "group.created",
  "group.member_added",
  "group.member_role_changed",
  "group.member_removed",
  "registration.approved",
  "registration.declined",
  "registration.waitlisted",
  "registration.invited",
  "registration.invitation_revoked",
  "registration.settings_changed",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditEvent = {
  action: AuditAction;
  actorId?: string | null;
  subjectType?: string;
  subjectId?: string;
  ip?: string | null;
  details?: Record<string, unknown>;
};

/** Appends to the audit log; pass the transaction of the change so that both land or neither does. */
export async function recordAudit(event: AuditEvent, tx: Transaction): Promise<void> {
  await tx.insert(auditLog).values({
    action: event.action,
    actorId: event.actorId ?? null,
    subjectType: event.subjectType ?? null,
    subjectId: event.subjectId ?? null,
    ip: event.ip ?? null,
    details: event.details ?? {},
  });
}
