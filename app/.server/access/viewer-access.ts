import { inArray, sql, type SQL } from "drizzle-orm";
import type { Executor } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { deriveRoles } from "../accounts/permissions.ts";
import type { Viewer } from "../accounts/sessions.ts";
import { ANONYMOUS, type AccessScope } from "./audience.ts";

/**
 * What the access conditions need to know about a person beyond their roles: their groups and the conferences they
 * attend. For a request these are extra columns of the one statement that checks the session (validateSessionToken),
 * so a signed-in request still costs one statement and no row costs another. `userId` is the SQL naming the user.
 */
export function viewerAccessColumns(userId: SQL): SQL {
  return sql`${groupIdsOf(userId)} as access_groups, ${attendingConferenceIdsOf(userId)} as access_attending`;
}

function groupIdsOf(userId: SQL): SQL {
  return sql`array(select gm.group_id::text from group_members gm where gm.user_id = ${userId} order by gm.group_id)`;
}

/**
 * The conferences for which the user holds a seat: an approved or checked-in registration. A subquery of the one
 * session statement (an index on registrations(user_id, conference_id, status) keeps it a lookup).
 */
function attendingConferenceIdsOf(userId: SQL): SQL {
  return sql`array(select r.conference_id::text from registrations r where r.user_id = ${userId} and r.status in ('approved', 'checked_in') order by r.conference_id)`;
}

export type ViewerAccessRow = { access_groups: string[]; access_attending: string[] };

export function viewerAccessOf(row: ViewerAccessRow): Viewer["access"] {
  return { groups: row.access_groups, attending: row.access_attending };
}

/**
 * The scopes of people who are not making the request: the readers of a change mail, the recipients of a digest.
 * One statement for all of them. There is no session here, so staff and members count as what their roles say;
 * a suspended or unknown account sees what an anonymous visitor sees.
 */
export async function accessScopesOfUsers(tx: Executor, userIds: readonly string[]): Promise<Map<string, AccessScope>> {
  const scopes = new Map<string, AccessScope>(userIds.map((id) => [id, ANONYMOUS]));
  if (userIds.length === 0) return scopes;
  const found = await tx
    .select({
      id: users.id,
      roles: users.roles,
      memberUntil: users.memberUntil,
      emailVerifiedAt: users.emailVerifiedAt,
      status: users.status,
      groups: sql<string[]>`${groupIdsOf(sql`${users.id}`)}`,
      attending: sql<string[]>`${attendingConferenceIdsOf(sql`${users.id}`)}`,
    })
    .from(users)
    .where(inArray(users.id, [...userIds]));
  const now = new Date();
  for (const user of found) {
    if (user.status !== "active") continue;
    const roles = deriveRoles(user, now);
    scopes.set(user.id, {
      userId: user.id,
      staff: roles.includes("organizer") || roles.includes("admin"),
      member: roles.includes("member"),
      attending: user.attending,
      groups: user.groups,
    });
  }
  return scopes;
}
