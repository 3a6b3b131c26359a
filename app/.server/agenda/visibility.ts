import { sql, type SQL } from "drizzle-orm";
import { conferences, programSessions, sessionSpeakers, speakers, type SessionAudience } from "#db/schema/agenda.ts";
import { canSee, visibleTo, type AccessScope } from "../access/audience.ts";

/**
 * Who may see a session, in one place for every query of the agenda. The access model's audience rule applies once the
 * program is published (a draft is for staff); a speaker linked to an account owns the sessions they speak at and
 * always sees them. Ownership runs through session_speakers, which is not a column of the row, so it is an EXISTS
 * beside `visibleTo` rather than one of its ownerIds. A caller that queries a single edition passes its published
 * state (a value, or the column of an edition row in the same statement); it must then also restrict the rows to
 * that edition.
 */
export function sessionVisibleTo(scope: AccessScope, edition?: { published: boolean | SQL }): SQL {
  if (scope.staff) return sql`true`;
  // A query about one edition whose state the caller already holds says so, and saves a lookup per session row.
  const published =
    edition === undefined
      ? sql`${programSessions.conferenceId} in (select ${conferences.id} from ${conferences} where ${conferences.published})`
      : typeof edition.published === "boolean"
        ? sql.raw(String(edition.published))
        : edition.published;
  const byAudience = sql`(${visibleTo(scope, { audience: programSessions.audience, conferenceId: programSessions.conferenceId })} and ${published})`;
  if (!scope.userId) return byAudience;
  const owned = sql`exists (select 1 from ${sessionSpeakers} inner join ${speakers} on ${speakers.id} = ${sessionSpeakers.speakerId}
    where ${sessionSpeakers.sessionId} = ${programSessions.id} and ${speakers.userId} = ${scope.userId})`;
  return sql`(${byAudience} or ${owned})`;
}

export type SessionAccessRow = {
  audience: SessionAudience;
  conferenceId: string;
  published: boolean;
  /** The accounts of the session's speakers (null for speakers without one). */
  speakerUserIds: readonly (string | null)[];
};

/** The same rule as `sessionVisibleTo`, for the one session a function is about to return. */
export function canSeeSession(scope: AccessScope, row: SessionAccessRow): boolean {
  if (scope.staff) return true;
  if (scope.userId && row.speakerUserIds.includes(scope.userId)) return true;
  return row.published && canSee(scope, { audience: row.audience, conferenceId: row.conferenceId });
}
