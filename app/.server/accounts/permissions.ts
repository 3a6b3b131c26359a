import type { GrantedRole } from "#db/schema/accounts.ts";

export type Role = "attendee" | "member" | GrantedRole;

export const PERMISSIONS = [
  "register:conference",
  "apply:vetting",
  "upload:material",
  "view:members",
  "read:forum",
  "post:forum",
  "vouch:applicant",
  "moderate:post",
  "approve:vetting",
  "manage:allowlist",
  "manage:groups",
  "suspend:member",
  "edit:agenda",
  "manage:registrations",
  "check-in:attendees",
  "read:outbox",
  "read:audit",
  "manage:roles",
  "end:sessions",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const MEMBER: Permission[] = ["view:members", "read:forum", "post:forum", "vouch:applicant"];

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  attendee: ["register:conference", "apply:vetting"],
  speaker: ["upload:material"],
  member: MEMBER,
  moderator: [...MEMBER, "moderate:post"],
  organizer: ["view:members", "approve:vetting", "manage:allowlist", "manage:groups", "suspend:member", "edit:agenda", "manage:registrations", "check-in:attendees", "read:outbox"],
  admin: PERMISSIONS,
};

/** Roles whose sessions follow the strict AAL2 lifetimes and who must use a second factor. */
export const PRIVILEGED_ROLES: readonly Role[] = ["member", "moderator", "organizer", "admin"];

export function isPrivileged(roles: readonly Role[]): boolean {
  return roles.some((role) => PRIVILEGED_ROLES.includes(role));
}

/**
 * Everything beyond what any verified attendee or speaker may do (members' material, running the site) needs a
 * session verified with a second factor.
 */
const WITHOUT_MFA: ReadonlySet<Permission> = new Set([...ROLE_PERMISSIONS.attendee, ...ROLE_PERMISSIONS.speaker]);
export const MFA_PERMISSIONS: ReadonlySet<Permission> = new Set(PERMISSIONS.filter((permission) => !WITHOUT_MFA.has(permission)));

export function deriveRoles(user: {
  emailVerifiedAt: Date | null;
  memberUntil: Date | null;
  roles: readonly GrantedRole[];
}, now: Date): Role[] {
  const roles: Role[] = [];
  if (user.emailVerifiedAt) roles.push("attendee");
  if (user.memberUntil && user.memberUntil > now) roles.push("member");
  // Granted roles count only once the address behind them is verified.
  if (user.emailVerifiedAt) roles.push(...user.roles);
  return roles;
}

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((role) => ROLE_PERMISSIONS[role]));
}

/** Who is acting: a Viewer fits. Data functions check the permission again, whatever the route did. */
export type Actor = { id: string; permissions: ReadonlySet<Permission> };

export function assertPermission(actor: Actor, permission: Permission): void {
  if (!actor.permissions.has(permission)) throw new Response("You do not have permission to do this.", { status: 403 });
}
