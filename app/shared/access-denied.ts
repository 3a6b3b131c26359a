/**
 * Why a signed-in viewer may not enter the members' area, with what they need to know to get in: the body of a
 * 403 that the error page turns into an explanation instead of a bare refusal.
 */
export type MembersOnly = {
  reason: "members_only";
  verified: boolean;
  suspended: boolean;
  expiredOn: string | null;
  application: { status: "submitted" | "info_requested" | "approved" | "rejected" | "withdrawn"; submittedAt: string } | null;
};

export function isMembersOnly(value: unknown): value is MembersOnly {
  return typeof value === "object" && value !== null && (value as { reason?: unknown }).reason === "members_only";
}
