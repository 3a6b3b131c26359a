import type { AuditAction } from "../audit/log.ts";
import { ROLE_LABELS } from "#app/shared/roles.ts";

/** What each action is called in the filter, and what it says about who did it ("signed in"). */
const ACTIONS: Record<AuditAction, { label: string; verb: string; subject?: string }> = {
  "auth.sign_in": { label: "Signed in", verb: "signed in" },
  "auth.sign_in_failed": { label: "Sign-in refused", verb: "was refused at sign-in" },
  "auth.mfa_verified": { label: "Passed the second factor", verb: "passed the second factor" },
  "auth.sign_in_throttled": { label: "Sign-in paused after failures", verb: "was made to wait after repeated failed sign-ins" },
  "auth.sign_out": { label: "Signed out", verb: "signed out" },
  "auth.sessions_ended": { label: "Sessions ended", verb: "ended the sessions of", subject: "the account" },
  "account.created": { label: "Account created", verb: "created an account" },
  "account.email_verified": { label: "Email address verified", verb: "verified their email address" },
  "account.email_changed": { label: "Email address changed", verb: "changed their email address" },
  "account.password_changed": { label: "Password changed", verb: "changed their password" },
  "account.password_reset": { label: "Password reset by mail", verb: "chose a new password through a reset link" },
  "account.profile_updated": { label: "Profile updated", verb: "updated their profile" },
  "account.exported": { label: "Data downloaded", verb: "downloaded their data" },
  "account.deleted": { label: "Account deleted", verb: "deleted their account" },
  "mfa.enrolled": { label: "Two-factor authentication on", verb: "turned on two-factor authentication" },
  "mfa.disabled": { label: "Two-factor authentication off", verb: "turned off two-factor authentication" },
  "mfa.recovery_code_used": { label: "Recovery code used", verb: "signed in with a recovery code" },
  "mfa.recovery_codes_regenerated": { label: "New recovery codes", verb: "made new recovery codes" },
  "mfa.failed": { label: "Wrong second-factor code", verb: "entered a wrong second-factor code" },
  "role.granted": { label: "Role granted", verb: "granted a role to", subject: "an account" },
  "role.revoked": { label: "Role revoked", verb: "revoked a role from", subject: "an account" },
  "vetting.applied": { label: "Applied for vetting", verb: "applied for vetting" },
  "vetting.vouched": { label: "Vouched for an applicant", verb: "vouched for an applicant" },
  "vetting.approved": { label: "Application approved", verb: "approved the application" },
  "vetting.rejected": { label: "Application rejected", verb: "rejected the application" },
  "vetting.info_requested": { label: "Asked the applicant a question", verb: "asked the applicant for more information" },
  "vetting.info_provided": { label: "Applicant answered", verb: "answered the organizers' question" },
  "vetting.withdrawn": { label: "Application withdrawn", verb: "withdrew the application" },
  "vetting.official_email_verified": { label: "Official address confirmed", verb: "confirmed the official address" },
  "allowlist.added": { label: "Domain added to the allowlist", verb: "added a domain to the allowlist" },
  "allowlist.removed": { label: "Domain removed from the allowlist", verb: "removed a domain from the allowlist" },
  "member.suspended": { label: "Account suspended", verb: "suspended", subject: "an account" },
  "member.reinstated": { label: "Account reinstated", verb: "reinstated", subject: "an account" },
  "group.created": { label: "Group created", verb: "created a group" },
  "group.member_added": { label: "Added to a group", verb: "added someone to a group" },
  "group.member_role_changed": { label: "Role in a group changed", verb: "changed someone's role in a group" },
  "group.member_removed": { label: "Removed from a group", verb: "removed someone from a group" },
  "registration.approved": { label: "Registration approved", verb: "approved the registration of", subject: "the attendee" },
  "registration.declined": { label: "Registration declined", verb: "declined the registration of", subject: "the attendee" },
  "registration.waitlisted": { label: "Registration waitlisted", verb: "put on the waitlist the registration of", subject: "the attendee" },
  "registration.invited": { label: "Invitation sent", verb: "invited someone to the conference" },
  "registration.invitation_revoked": { label: "Invitation revoked", verb: "revoked an invitation to the conference" },
  "registration.settings_changed": { label: "Registration settings changed", verb: "changed the registration settings" },
};

/** Labels of the detail fields; a field not listed here is shown under its own name, in words. */
const DETAIL_LABELS: Record<string, string> = {
  role: "Role",
  reason: "Reason",
  question: "Question",
  statement: "Statement",
  applicantReply: "Applicant's answer",
  scope: "Which sessions",
  ended: "Sessions ended",
  domain: "Domain",
  note: "Note",
  email: "Email address given",
  fields: "Fields changed",
  from: "From",
  to: "To",
  agency: "Agency",
  officialDomain: "Official address's domain",
  allowlistedBy: "Allowlist entry",
  renewal: "Renewal",
  via: "Confirmed through",
  kind: "Kind",
  name: "Name",
  slug: "Short name",
  memberUntil: "Member until",
  mfaPending: "Second factor still to come",
};

/** Details that name a row by its id: the page shows who or what instead, or nothing. */
const HIDDEN_DETAILS = new Set(["userId", "applicantId", "i"]);

const SCOPES: Record<string, string> = { all: "All of them", others: "All but the current one" };

const FIELD_NAMES: Record<string, string> = { name: "name", agency: "agency", jobTitle: "job title", country: "country" };

function inWords(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/[_.]/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function valueText(key: string, value: unknown): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (key === "role" && typeof value === "string") return ROLE_LABELS[value] ?? value;
  if (key === "scope" && typeof value === "string") return SCOPES[value] ?? value;
  if (key === "fields" && Array.isArray(value)) return value.map((field) => FIELD_NAMES[String(field)] ?? String(field)).join(", ");
  if (key === "memberUntil" && typeof value === "string") return new Date(value).toUTCString().slice(5, 16);
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (Array.isArray(value)) return value.map(String).join(", ");
  if (typeof value === "object") return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${inWords(k)}: ${String(v)}`).join("; ");
  return String(value);
}

export type AuditDetail = { label: string; text: string };

/** An entry's details as labelled text, in the order of DETAIL_LABELS, then the rest. */
export function describeDetails(details: Record<string, unknown>): AuditDetail[] {
  const known = Object.keys(DETAIL_LABELS).filter((key) => key in details);
  const rest = Object.keys(details).filter((key) => !(key in DETAIL_LABELS) && !HIDDEN_DETAILS.has(key));
  return [...known, ...rest].flatMap((key) => {
    const text = valueText(key, details[key]);
    return text === null ? [] : [{ label: DETAIL_LABELS[key] ?? inWords(key), text }];
  });
}

export function auditActionLabel(action: string): string {
  return ACTIONS[action as AuditAction]?.label ?? inWords(action);
}

/**
 * An audit entry as a sentence: "jane@agency.gov granted a role to sam@agency.gov." The actor is named by their
 * address, or as a deleted account; an entry without an actor (a refused sign-in to no account) reads "Someone".
 */
export function auditSentence(entry: { action: string; actor: string | null; actorDeleted: boolean; subject: string | null }): string {
  const known = ACTIONS[entry.action as AuditAction];
  const who = entry.actor ?? (entry.actorDeleted ? "A since deleted account" : "Someone");
  if (!known) return `${who}: ${inWords(entry.action)}.`;
  const subject = known.subject ? ` ${entry.subject ?? known.subject}` : "";
  return `${who} ${known.verb}${subject}.`;
}

export const AUDIT_ACTION_OPTIONS = (Object.keys(ACTIONS) as AuditAction[]).map((action) => ({ value: action, label: ACTIONS[action].label }));
