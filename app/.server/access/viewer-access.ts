import { sql, type SQL } from "drizzle-orm";
import type { Viewer } from "../accounts/sessions.ts";

/**
 * What the access conditions need to know about a viewer, read as extra columns of the one statement that checks
 * the session (validateSessionToken), so a signed-in request still costs one statement and no row costs another.
 * `userId` is the SQL naming the session's user in that statement.
 */
export function viewerAccessColumns(userId: SQL): SQL {
  return sql`array(select gm.group_id::text from group_members gm where gm.user_id = ${userId} order by gm.group_id) as access_groups,
             ${attendingConferenceIds(userId)} as access_attending`;
}

/**
 * The conferences for which the user holds an approved registration. Registrations do not exist yet; the
 * registration module aggregates its approved rows here, e.g.
 * `array(select r.conference_id::text from registrations r where r.user_id = ${userId} and r.status = 'approved')`.
 */
function attendingConferenceIds(_userId: SQL): SQL {
  return sql`'{}'::text[]`;
}

export type ViewerAccessRow = { access_groups: string[]; access_attending: string[] };

export function viewerAccessOf(row: ViewerAccessRow): Viewer["access"] {
  return { groups: row.access_groups, attending: row.access_attending };
}
