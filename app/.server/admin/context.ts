import type { Permission } from "../accounts/permissions.ts";

/** Who is acting: a Viewer fits. The data functions check the permission again, whatever the route did. */
export type Actor = { id: string; permissions: ReadonlySet<Permission> };

export function assertPermission(actor: Actor, permission: Permission): void {
  if (!actor.permissions.has(permission)) throw new Response("You do not have permission to do this.", { status: 403 });
}

/** A search term for ILIKE: the user's % and _ match themselves. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Page size of the admin lists. */
export const PAGE_SIZE = 50;
