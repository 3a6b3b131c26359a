import type { Permission } from "../accounts/permissions.ts";

/** Who is acting: a Viewer fits. The data functions check the permission again, whatever the route did. */
export type Actor = { id: string; permissions: ReadonlySet<Permission> };

/** Where a request came from: the address for the audit log, and how to build absolute links for mail. */
export type Origin = { ip: string | null; link: (path: string) => string };

export function assertPermission(actor: Actor, permission: Permission): void {
  if (!actor.permissions.has(permission)) throw new Response("You do not have permission to do this.", { status: 403 });
}

export const OPEN_STATUSES = ["submitted", "info_requested"] as const;

const DAY = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });

/** Dates in mail: one unambiguous form for every reader, whatever their locale. */
export function mailDate(date: Date): string {
  return DAY.format(date);
}
