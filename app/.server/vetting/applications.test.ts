import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { domainAllowlist, vettingApplications } from "#db/schema/vetting.ts";
import { createUser } from "#tests/factories/accounts.ts";
import {
  checkOfficialEmailToken,
  getVettingOverview,
  replyToInformationRequest,
  resendOfficialEmailLink,
  submitApplication,
  verifyOfficialEmail,
  withdrawApplication,
} from "./applications.ts";
import { decideApplication } from "./review.ts";
import { ApplySchema } from "./schemas.ts";
import { actorFor, applyInput, mailsTo, FACTORY_ORIGIN as origin, tokenIn } from "#tests/factories/vetting.ts";

beforeAll(async () => {
  await getDb().insert(domainAllowlist).values([{ domain: "gov" }, { domain: "police.uk" }]);
});

async function applicationsOf(userId: string) {
  return getDb().select().from(vettingApplications).where(eq(vettingApplications.userId, userId));
}

describe("applying", () => {
  it("files one application with an audit entry, a receipt, and a link to an allowlisted official address", async () => {
    const user = await createUser();
    const input = applyInput({ officialEmail: "ada@mail.uspis.gov" });
    const result = await submitApplication(user.id, input, origin);
    expect(result).toMatchObject({ outcome: "created", allowlistedBy: "gov" });
    const [application] = await applicationsOf(user.id);
    expect(application).toMatchObject({ status: "submitted", officialDomainAllowlisted: true, officialEmailVerifiedAt: null, agency: input.agency });
    expect(await mailsTo(user.email)).toHaveLength(1);
    const [link] = await mailsTo("ada@mail.uspis.gov");
    expect(link?.textBody).toContain("http://liaison.test/vetting/verify?token=");
    const audit = await getDb().select().from(auditLog).where(and(eq(auditLog.action, "vetting.applied"), eq(auditLog.subjectId, application!.id)));
    expect(audit).toHaveLength(1);
  });

  it("sends no link to an address outside the allowlist", async () => {
    const user = await createUser();
    await submitApplication(user.id, applyInput({ officialEmail: "ada@evilgov.com" }), origin);
    const [application] = await applicationsOf(user.id);
    expect(application?.officialDomainAllowlisted).toBe(false);
    expect(await mailsTo("ada@evilgov.com")).toHaveLength(0);
    expect(await mailsTo(user.email)).toHaveLength(1);
  });

  it("a second submit, even at the same moment, answers with the open application and sends nothing more", async () => {
    const user = await createUser();
    const input = applyInput({ officialEmail: "twice@police.uk" });
    const first = await submitApplication(user.id, input, origin);
    const again = await submitApplication(user.id, input, origin);
    expect(again).toEqual({ outcome: "existing", applicationId: first.outcome === "created" ? first.applicationId : "" });
    const other = await createUser();
    const together = await Promise.all([
      submitApplication(other.id, applyInput({ officialEmail: "both@police.uk" }), origin),
      submitApplication(other.id, applyInput({ officialEmail: "both@police.uk" }), origin),
    ]);
    expect(together.map((r) => r.outcome).sort()).toEqual(["created", "existing"]);
    expect(await applicationsOf(user.id)).toHaveLength(1);
    expect(await applicationsOf(other.id)).toHaveLength(1);
    expect(await mailsTo("twice@police.uk")).toHaveLength(1);
    expect(await mailsTo("both@police.uk")).toHaveLength(1);
    expect(await mailsTo(other.email)).toHaveLength(1);
  });

  it("counts the account's own verified address as verified when it is the official one", async () => {
    const user = await createUser({ email: "officer@met.police.uk" });
    await submitApplication(user.id, applyInput({ officialEmail: "officer@met.police.uk" }), origin);
    const [application] = await applicationsOf(user.id);
    expect(application?.officialEmailVerifiedAt).toBeInstanceOf(Date);
    expect((await mailsTo(user.email)).map((mail) => mail.subject)).toEqual(["We received your application for membership"]);
  });

  it("validates the form", () => {
    const result = ApplySchema.safeParse({ agency: "", officialEmail: "nope", sponsorName: "S", sponsorEmail: "a@b.gov", reason: "short" });
    expect(result.success).toBe(false);
    const fields = result.error!.issues.map((issue) => issue.path[0]);
    expect(fields).toEqual(expect.arrayContaining(["agency", "officialEmail", "reason"]));
    const self = ApplySchema.safeParse({ ...applyInput(), sponsorEmail: applyInput().officialEmail });
    expect(self.error?.issues[0]?.path).toEqual(["sponsorEmail"]);
  });

  it("lets a member apply again only once renewal opens", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    expect(await submitApplication(member.id, applyInput(), origin)).toMatchObject({ outcome: "already_member" });
    expect((await getVettingOverview(member.id)).canApply).toBe(false);
    await getDb().update(users).set({ memberUntil: sql`now() + interval '10 days'` }).where(eq(users.id, member.id));
    expect((await getVettingOverview(member.id)).canApply).toBe(true);
    expect(await submitApplication(member.id, applyInput(), origin)).toMatchObject({ outcome: "created" });
  });
});

describe("the official address", () => {
  it("is verified once by its link, by a POST, and the link then stops working", async () => {
    const user = await createUser();
    await submitApplication(user.id, applyInput({ officialEmail: "verify@uspis.gov" }), origin);
    const token = tokenIn((await mailsTo("verify@uspis.gov"))[0]!.textBody)!;
    expect(await checkOfficialEmailToken(token)).toEqual({ email: "verify@uspis.gov" });
    // Looking at the page does not use the link up.
    expect(await checkOfficialEmailToken(token)).toEqual({ email: "verify@uspis.gov" });
    expect(await verifyOfficialEmail(token, null)).toBe("verified");
    expect(await verifyOfficialEmail(token, null)).toBe("invalid");
    expect(await checkOfficialEmailToken(token)).toBeNull();
    const [application] = await applicationsOf(user.id);
    expect(application?.officialEmailVerifiedAt).toBeInstanceOf(Date);
    const audit = await getDb().select().from(auditLog).where(and(eq(auditLog.action, "vetting.official_email_verified"), eq(auditLog.subjectId, application!.id)));
    expect(audit).toHaveLength(1);
  });

  it("does not count for an application that is no longer open", async () => {
    const user = await createUser();
    await submitApplication(user.id, applyInput({ officialEmail: "late@uspis.gov" }), origin);
    const token = tokenIn((await mailsTo("late@uspis.gov"))[0]!.textBody)!;
    const [application] = await applicationsOf(user.id);
    expect(await withdrawApplication(user.id, application!.id)).toBe("withdrawn");
    expect(await getDb().select().from(auditLog).where(and(eq(auditLog.action, "vetting.withdrawn"), eq(auditLog.subjectId, application!.id)))).toHaveLength(1);
    expect(await verifyOfficialEmail(token, null)).toBe("invalid");
  });

  it("gets a link when the applicant asks again after the organizers allowlisted the domain", async () => {
    const user = await createUser();
    await submitApplication(user.id, applyInput({ officialEmail: "agent@justice.example" }), origin);
    expect(await resendOfficialEmailLink(user.id, origin)).toBe("not_allowlisted");
    await getDb().insert(domainAllowlist).values({ domain: "justice.example" });
    expect(await resendOfficialEmailLink(user.id, origin)).toBe("sent");
    const [application] = await applicationsOf(user.id);
    expect(application?.officialDomainAllowlisted).toBe(true);
    expect(await mailsTo("agent@justice.example")).toHaveLength(1);
  });
});

describe("answering a question", () => {
  it("puts the application back in review, once", async () => {
    const user = await createUser();
    const organizer = actorFor(await createUser({ roles: ["organizer"] }));
    const created = await submitApplication(user.id, applyInput(), origin);
    const applicationId = created.outcome === "created" ? created.applicationId : "";
    expect(await replyToInformationRequest(user.id, { applicationId, reply: "Too early" })).toBe("not_waiting");
    await decideApplication(organizer, applicationId, { intent: "request_info", question: "Who is your supervisor's supervisor?" }, origin);
    const overview = await getVettingOverview(user.id);
    expect(overview.application).toMatchObject({ status: "info_requested", decisionNote: "Who is your supervisor's supervisor?" });
    const stranger = await createUser();
    expect(await replyToInformationRequest(stranger.id, { applicationId, reply: "Not mine" })).toBe("not_waiting");
    expect(await replyToInformationRequest(user.id, { applicationId, reply: "Inspector Reyes." })).toBe("replied");
    expect(await getDb().select().from(auditLog).where(and(eq(auditLog.action, "vetting.info_provided"), eq(auditLog.subjectId, applicationId)))).toHaveLength(1);
    expect(await replyToInformationRequest(user.id, { applicationId, reply: "Again" })).toBe("not_waiting");
    const [application] = await applicationsOf(user.id);
    expect(application).toMatchObject({ status: "submitted", applicantReply: "Inspector Reyes." });
  });
});
