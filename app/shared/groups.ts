import type { GroupKind, GroupRole } from "#db/schema/access.ts";

/** What the group forms show and limit, shared by the pages and the server's schemas. */
export const GROUP_LIMITS = { name: 120, slug: 60, email: 254 } as const;

export const GROUP_KIND_LABELS: Record<GroupKind, string> = {
  agency: "Agency",
  community: "Community",
  list: "List of people",
};

export const GROUP_ROLE_LABELS: Record<GroupRole, string> = { member: "Member", manager: "Manager" };
