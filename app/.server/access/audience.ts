import { sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { AUDIENCES, type Audience } from "#db/schema/access.ts";
import type { Viewer } from "../accounts/sessions.ts";

/**
 * Who may see a row. Every module stores one of these on what it protects (a session, a file, a thread) and
 * filters with `visibleTo` inside the SQL of each list, count, search and export, then checks the single row it
 * returns with `canSee`. A new query cannot leak by forgetting a route check: it has to pass the viewer.
 *
 * - public: anyone, signed in or not.
 * - attendees: people with an approved registration for the row's conference.
 * - members: vetted members whose membership is current.
 * - staff: organizers and admins.
 * - group: the members of one named group (an agency, a community, a list of people).
 * Staff see everything; an owner (the speaker of a session, the author of a post) always sees their own row.
 *
 * A table stores its audience in a text column constrained with `audienceCheck` (db/schema/access.ts).
 */
export { AUDIENCES, type Audience };

/** What the access conditions need to know about a viewer, resolved with the session (no query per row). */
export type AccessScope = {
  userId: string | null;
  staff: boolean;
  member: boolean;
  /** Conferences for which the viewer holds an approved registration. */
  attending: readonly string[];
  /** Groups the viewer belongs to. */
  groups: readonly string[];
};

export const ANONYMOUS: AccessScope = { userId: null, staff: false, member: false, attending: [], groups: [] };

/** True for a scope that sees public rows only, which every anonymous visitor shares (so results can be shared too). */
export function isPublicScope(scope: AccessScope): boolean {
  return scope.userId === null && !scope.staff && !scope.member && scope.attending.length === 0 && scope.groups.length === 0;
}

export type ScopeSource = Pick<Viewer, "id" | "roles" | "access"> & { session: Pick<Viewer["session"], "mfaVerified"> };

/**
 * The scope of a signed-in viewer. Staff and members reach what they do only from a session verified with a second
 * factor, as their permissions do (see MFA_PERMISSIONS); until then they see what an attendee sees.
 */
export function accessScope(viewer: ScopeSource | null | undefined): AccessScope {
  if (!viewer) return ANONYMOUS;
  const verified = viewer.session.mfaVerified;
  return {
    userId: viewer.id,
    staff: verified && (viewer.roles.includes("organizer") || viewer.roles.includes("admin")),
    member: verified && viewer.roles.includes("member"),
    attending: viewer.access.attending,
    groups: viewer.access.groups,
  };
}

export type AudienceColumns = {
  audience: AnyPgColumn;
  /** The conference a row belongs to, for the "attendees" audience. */
  conferenceId?: AnyPgColumn;
  /** The group named by a "group" audience. */
  groupId?: AnyPgColumn;
  /** Columns holding the users who own the row (the author, the uploader). */
  ownerIds?: AnyPgColumn[];
};

const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(",")}}`}::uuid[]`;

/** The SQL condition "this scope may see the row", to put into a WHERE. */
export function visibleTo(scope: AccessScope, columns: AudienceColumns): SQL {
  if (scope.staff) return sql`true`;
  const allowed: SQL[] = [sql`${columns.audience} = 'public'`];
  if (scope.member) allowed.push(sql`${columns.audience} = 'members'`);
  if (columns.conferenceId && scope.attending.length > 0) {
    allowed.push(sql`(${columns.audience} = 'attendees' and ${columns.conferenceId} = any(${uuidArray(scope.attending)}))`);
  }
  if (columns.groupId && scope.groups.length > 0) {
    allowed.push(sql`(${columns.audience} = 'group' and ${columns.groupId} = any(${uuidArray(scope.groups)}))`);
  }
  if (scope.userId) {
    for (const owner of columns.ownerIds ?? []) allowed.push(sql`${owner} = ${scope.userId}`);
  }
  return sql`(${sql.join(allowed, sql` or `)})`;
}

export type AudienceRow = {
  audience: Audience;
  conferenceId?: string | null;
  groupId?: string | null;
  ownerIds?: readonly (string | null)[];
};

/** The same rule as `visibleTo`, for the one row a function is about to return. */
export function canSee(scope: AccessScope, row: AudienceRow): boolean {
  if (scope.staff || row.audience === "public") return true;
  if (scope.userId && row.ownerIds?.includes(scope.userId)) return true;
  switch (row.audience) {
    case "members":
      return scope.member;
    case "attendees":
      return row.conferenceId != null && scope.attending.includes(row.conferenceId);
    case "group":
      return row.groupId != null && scope.groups.includes(row.groupId);
    case "staff":
      return false;
  }
}
