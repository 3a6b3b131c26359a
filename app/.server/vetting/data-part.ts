import { asc, eq } from "drizzle-orm";
import { users } from "#db/schema/accounts.ts";
import { domainAllowlist, vettingApplications, vettingVouches } from "#db/schema/vetting.ts";
import { dataPart } from "../data-rights/part.ts";

/**
 * Applications and vouches. The allowlist only records which staff member added a domain: nothing of theirs to
 * export, and the reference is cleared with the account. Applications go with the user row; vouches given stay,
 * without their author, as the evidence a decision was made on.
 */
export const vettingDataPart = dataPart({
  name: "vetting",
  tables: [vettingApplications, vettingVouches, domainAllowlist],
  async export(tx, userId) {
    const vettingApplicationRows = await tx
      .select({
        id: vettingApplications.id,
        createdAt: vettingApplications.createdAt,
        updatedAt: vettingApplications.updatedAt,
        agency: vettingApplications.agency,
        officialEmail: vettingApplications.officialEmail,
        officialEmailVerifiedAt: vettingApplications.officialEmailVerifiedAt,
        officialDomainAllowlisted: vettingApplications.officialDomainAllowlisted,
        sponsorName: vettingApplications.sponsorName,
        sponsorEmail: vettingApplications.sponsorEmail,
        reason: vettingApplications.reason,
        status: vettingApplications.status,
        decisionNote: vettingApplications.decisionNote,
        applicantReply: vettingApplications.applicantReply,
        decidedAt: vettingApplications.decidedAt,
      })
      .from(vettingApplications)
      .where(eq(vettingApplications.userId, userId))
      .orderBy(asc(vettingApplications.createdAt));
    // Vouches are written for the organizers: the applicant learns that they exist, not who wrote what.
    const vouchesReceived = await tx
      .select({ applicationId: vettingVouches.applicationId, createdAt: vettingVouches.createdAt })
      .from(vettingVouches)
      .innerJoin(vettingApplications, eq(vettingApplications.id, vettingVouches.applicationId))
      .where(eq(vettingApplications.userId, userId))
      .orderBy(asc(vettingVouches.createdAt));
    const vouchesGiven = await tx
      .select({ applicantName: users.name, statement: vettingVouches.statement, createdAt: vettingVouches.createdAt })
      .from(vettingVouches)
      .innerJoin(vettingApplications, eq(vettingApplications.id, vettingVouches.applicationId))
      .innerJoin(users, eq(users.id, vettingApplications.userId))
      .where(eq(vettingVouches.voucherId, userId))
      .orderBy(asc(vettingVouches.createdAt));
    return { vettingApplications: vettingApplicationRows, vouchesReceived, vouchesGiven };
  },
});
