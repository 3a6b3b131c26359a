import type { GrantedRole } from "#db/schema/accounts.ts";
import type { AccessScope } from "../access/audience.ts";
import { deriveRoles } from "../accounts/permissions.ts";

/**
 * The access scope of an account that is not the one asking, from its row: the reader of a change mail, the owner
 * of a calendar feed fetched without a session. Roles are derived as at sign-in (permissions.ts).
 */
export function scopeOfAccount(user: { id: string; roles: GrantedRole[]; memberUntil: Date | null; emailVerified: boolean }): AccessScope {
  const now = new Date();
  const roles = deriveRoles({ emailVerifiedAt: user.emailVerified ? now : null, memberUntil: user.memberUntil, roles: user.roles }, now);
  return {
    userId: user.id,
    staff: roles.includes("organizer") || roles.includes("admin"),
    member: roles.includes("member"),
    attending: [],
    groups: [],
  };
}
