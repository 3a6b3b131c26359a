import { and, asc, eq, inArray, ne } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { vettingApplications, vettingVouches } from "#db/schema/vetting.ts";
import { recordAudit } from "../audit/log.ts";
import { OPEN_STATUSES } from "./context.ts";
import { assertPermission, type Actor } from "../accounts/permissions.ts";

/**
 * Open applications a member may vouch for: only who the applicant is (name, agency, country, date), never
 * their reason or addresses, which are for the organizers. One's own application is not listed.
 */
export async function listApplicationsToVouch(actor: Actor) {
  assertPermission(actor, "vouch:applicant");
  const mine = getDb()
    .select({ applicationId: vettingVouches.applicationId, createdAt: vettingVouches.createdAt })
    .from(vettingVouches)
    .where(eq(vettingVouches.voucherId, actor.id))
    .as("mine");
  return getDb()
    .select({
      id: vettingApplications.id,
      name: users.name,
      agency: vettingApplications.agency,
      country: users.country,
      submittedAt: vettingApplications.createdAt,
      vouchedAt: mine.createdAt,
    })
    .from(vettingApplications)
    .innerJoin(users, eq(users.id, vettingApplications.userId))
    .leftJoin(mine, eq(mine.applicationId, vettingApplications.id))
    .where(
      and(
        inArray(vettingApplications.status, [...OPEN_STATUSES]),
        ne(vettingApplications.userId, actor.id),
        eq(users.status, "active"),
      ),
    )
    .orderBy(asc(vettingApplications.createdAt))
    .limit(500);
}

export type VouchOutcome = "vouched" | "already_vouched" | "own_application" | "not_open";

/** One vouch per member and application (the primary key): a second submit is harmless and says so. */
export async function vouchFor(actor: Actor, input: { applicationId: string; statement: string }, ip: string | null): Promise<VouchOutcome> {
  assertPermission(actor, "vouch:applicant");
  return getDb().transaction(async (tx) => {
    // FOR SHARE keeps a decision from landing between this check and the vouch.
    const [application] = await tx
      .select({ userId: vettingApplications.userId, status: vettingApplications.status })
      .from(vettingApplications)
      .where(eq(vettingApplications.id, input.applicationId))
      .for("share");
    if (!application || !(OPEN_STATUSES as readonly string[]).includes(application.status)) return "not_open";
    if (application.userId === actor.id) return "own_application";
    const inserted = await tx
      .insert(vettingVouches)
      .values({ applicationId: input.applicationId, voucherId: actor.id, statement: input.statement })
      .onConflictDoNothing()
      .returning({ createdAt: vettingVouches.createdAt });
    if (inserted.length === 0) return "already_vouched";
    await recordAudit(
      { action: "vetting.vouched", actorId: actor.id, subjectType: "vetting_application", subjectId: input.applicationId, ip, details: { statement: input.statement } },
      tx,
    );
    return "vouched";
  });
}
