import { sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { vettingApplications } from "#db/schema/vetting.ts";
import type { Permission } from "../accounts/permissions.ts";
import type { Actor } from "../accounts/permissions.ts";

/** The permissions that open the admin area; each page below needs one of them, or another admin permission. */
export const ADMIN_AREA_PERMISSIONS = ["approve:vetting", "read:outbox", "read:audit", "manage:roles"] as const satisfies readonly Permission[];

const ADMIN_PAGES: { path: string; title: string; summary: string; permission: Permission }[] = [
  { path: "/admin/vetting", title: "Vetting queue", summary: "Decide on applications for membership.", permission: "approve:vetting" },
  { path: "/admin/allowlist", title: "Domain allowlist", summary: "Official address domains that get a confirmation link.", permission: "manage:allowlist" },
  { path: "/admin/members", title: "Members", summary: "Vetted members; suspend or reinstate.", permission: "suspend:member" },
  { path: "/admin/groups", title: "Groups", summary: "Agencies, communities and lists of people that resources can be shown to.", permission: "manage:groups" },
  { path: "/admin/users", title: "Users and roles", summary: "Find accounts, grant or revoke roles, end sessions.", permission: "manage:roles" },
  { path: "/admin/audit", title: "Audit log", summary: "Who did what, and when.", permission: "read:audit" },
  { path: "/admin/agenda", title: "Program", summary: "Create, edit, move and cancel sessions; publish the program.", permission: "edit:agenda" },
  { path: "/admin/registrations", title: "Registrations", summary: "Approve, decline and waitlist registrations; invitations, settings, export.", permission: "manage:registrations" },
  { path: "/admin/check-in", title: "Check-in", summary: "Scan badges at the door, with or without a connection.", permission: "check-in:attendees" },
  { path: "/admin/outbox", title: "Mail outbox", summary: "Mail queued and sent by the site.", permission: "read:outbox" },
];

/** The admin pages this actor may open, and the counts they may see. */
export async function getDashboard(actor: Actor) {
  if (!ADMIN_AREA_PERMISSIONS.some((permission) => actor.permissions.has(permission))) {
    throw new Response("You do not have permission to see this page.", { status: 403 });
  }
  const may = (permission: Permission) => actor.permissions.has(permission);
  const count = async (query: Promise<{ n: number }[]>) => Number((await query)[0]?.n ?? 0);
  const n = sql<number>`count(*)::int`;
  const [openApplications, members, pendingMail] = await Promise.all([
    may("approve:vetting")
      ? count(getDb().select({ n }).from(vettingApplications).where(sql`${vettingApplications.status} in ('submitted', 'info_requested')`))
      : null,
    may("view:members")
      ? count(getDb().select({ n }).from(users).where(sql`${users.memberUntil} > now() and ${users.status} = 'active'`))
      : null,
    may("read:outbox") ? count(getDb().select({ n }).from(mailOutbox).where(sql`${mailOutbox.status} = 'pending'`)) : null,
  ]);
  return {
    counts: { openApplications, members, pendingMail },
    pages: ADMIN_PAGES.filter((page) => may(page.permission)).map(({ path, title, summary }) => ({ path, title, summary })),
  };
}
