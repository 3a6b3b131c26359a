import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { vettingApplications } from "#db/schema/vetting.ts";
import { createUser } from "#tests/factories/accounts.ts";
import { getVettingOverview, submitApplication } from "./applications.ts";
import { decideApplication, getApplicationForReview, listVettingQueue } from "./review.ts";
import { DecisionSchema } from "./schemas.ts";
import { actorFor, applyInput, mailsTo, FACTORY_ORIGIN as origin } from "#tests/factories/vetting.ts";
import { vouchFor } from "./vouches.ts";

const DAY_MS = 86_400_000;

async function openApplication(traits: ("verified" | "member")[] = ["verified"]) {
  const applicant = await createUser({ traits });
  const result = await submitApplication(applicant.id, applyInput(), origin);
  if (result.outcome !== "created") throw new Error("expected a new application");
  return { applicant, applicationId: result.applicationId };
}

async function organizer() {
  return actorFor(await createUser({ roles: ["organizer"] }));
}

describe("deciding", () => {
  it("approval makes the applicant a member for a year, clears the reminder, audits and mails", async () => {
    const { applicant, applicationId } = await openApplication();
    await getDb().update(users).set({ membershipReminderSentAt: sql`now()` }).where(eq(users.id, applicant.id));
    const actor = await organizer();
    const outcome = await decideApplication(actor, applicationId, { intent: "approve" }, origin);
    expect(outcome).toMatchObject({ outcome: "decided", status: "approved" });
    const [member] = await getDb().select().from(users).where(eq(users.id, applicant.id));
    expect(Math.abs(member!.memberUntil!.getTime() - (Date.now() + 365 * DAY_MS))).toBeLessThan(60_000);
    expect(member?.membershipReminderSentAt).toBeNull();
    const [application] = await getDb().select().from(vettingApplications).where(eq(vettingApplications.id, applicationId));
    expect(application).toMatchObject({ status: "approved", decidedById: actor.id });
    expect(application?.decidedAt).toBeInstanceOf(Date);
    const audit = await getDb().select().from(auditLog).where(and(eq(auditLog.action, "vetting.approved"), eq(auditLog.subjectId, applicationId)));
    expect(audit).toHaveLength(1);
    expect(audit[0]?.actorId).toBe(actor.id);
    expect((await mailsTo(applicant.email)).map((mail) => mail.subject)).toContain("Welcome: your Liaison membership is approved");
    expect((await getVettingOverview(applicant.id)).member?.until.getTime()).toBe(member!.memberUntil!.getTime());
  });

  it("a renewal runs on from the end of the current membership", async () => {
    const { applicant } = await openApplication();
    await getDb().update(users).set({ memberUntil: sql`now() + interval '10 days'` }).where(eq(users.id, applicant.id));
    await getDb().update(vettingApplications).set({ status: "withdrawn" }).where(eq(vettingApplications.userId, applicant.id));
    const renewal = await submitApplication(applicant.id, applyInput(), origin);
    if (renewal.outcome !== "created") throw new Error("expected a renewal");
    const actor = await organizer();
    const queued = (await listVettingQueue(actor, "open")).rows.find((row) => row.id === renewal.applicationId);
    expect(queued?.renewal).toBe(true);
    await decideApplication(actor, renewal.applicationId, { intent: "approve" }, origin);
    const decided = (await listVettingQueue(actor, "approved")).rows.find((row) => row.id === renewal.applicationId);
    expect(decided?.renewal).toBe(false);
    const [member] = await getDb().select().from(users).where(eq(users.id, applicant.id));
    expect(Math.abs(member!.memberUntil!.getTime() - (Date.now() + 375 * DAY_MS))).toBeLessThan(60_000);
  });

  it("a rejection needs a reason, which the applicant sees", async () => {
    expect(DecisionSchema.safeParse({ intent: "reject", reason: "  " }).success).toBe(false);
    expect(DecisionSchema.safeParse({ intent: "reject" }).success).toBe(false);
    expect(DecisionSchema.safeParse({ intent: "request_info", question: "" }).success).toBe(false);
    const { applicant, applicationId } = await openApplication();
    const decision = DecisionSchema.parse({ intent: "reject", reason: "Your sponsor did not confirm." });
    expect(await decideApplication(await organizer(), applicationId, decision, origin)).toMatchObject({ outcome: "decided" });
    const overview = await getVettingOverview(applicant.id);
    expect(overview.application).toMatchObject({ status: "rejected", decisionNote: "Your sponsor did not confirm." });
    expect(overview.canApply).toBe(true);
    const [user] = await getDb().select().from(users).where(eq(users.id, applicant.id));
    expect(user?.memberUntil).toBeNull();
  });

  it("refuses a second decision on a decided application", async () => {
    const { applicant, applicationId } = await openApplication();
    const first = await organizer();
    const second = await organizer();
    await decideApplication(first, applicationId, { intent: "reject", reason: "No." }, origin);
    expect(await decideApplication(second, applicationId, { intent: "approve" }, origin)).toEqual({ outcome: "closed", status: "rejected" });
    const [user] = await getDb().select().from(users).where(eq(users.id, applicant.id));
    expect(user?.memberUntil).toBeNull();
  });

  it("lets only one of two simultaneous decisions win", async () => {
    const { applicant, applicationId } = await openApplication();
    const outcomes = await Promise.all([
      decideApplication(await organizer(), applicationId, { intent: "approve" }, origin),
      decideApplication(await organizer(), applicationId, { intent: "reject", reason: "No." }, origin),
    ]);
    expect(outcomes.filter((o) => o.outcome === "decided")).toHaveLength(1);
    expect(outcomes.filter((o) => o.outcome === "closed")).toHaveLength(1);
    const decided = await getDb()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.subjectId, applicationId), sql`${auditLog.action} in ('vetting.approved', 'vetting.rejected')`));
    expect(decided).toHaveLength(1);
    const decisionMails = (await mailsTo(applicant.email)).filter((mail) => mail.subject !== "We received your application for membership");
    expect(decisionMails).toHaveLength(1);
  });

  it("refuses a decision on one's own application, and knows no unknown id", async () => {
    const self = await createUser({ roles: ["organizer"] });
    const result = await submitApplication(self.id, applyInput(), origin);
    if (result.outcome !== "created") throw new Error("expected an application");
    expect(await decideApplication(actorFor(self), result.applicationId, { intent: "approve" }, origin)).toEqual({ outcome: "own_application" });
    expect(await decideApplication(actorFor(self), crypto.randomUUID(), { intent: "approve" }, origin)).toEqual({ outcome: "not_found" });
    expect(await getApplicationForReview(actorFor(self), crypto.randomUUID())).toBeNull();
  });

  it("is for organizers only", async () => {
    const { applicationId } = await openApplication();
    const member = actorFor(await createUser({ traits: ["verified", "member"] }));
    await expect(decideApplication(member, applicationId, { intent: "approve" }, origin)).rejects.toMatchObject({ status: 403 });
    await expect(listVettingQueue(member, "open")).rejects.toMatchObject({ status: 403 });
  });
});

describe("the review queue", () => {
  it("lists submitted before waiting-on-applicant, oldest first, with vouches and markers", async () => {
    const actor = await organizer();
    const older = await openApplication();
    const waiting = await openApplication();
    const newer = await openApplication();
    await getDb().update(vettingApplications).set({ createdAt: sql`now() - interval '3 days'` }).where(eq(vettingApplications.id, older.applicationId));
    await getDb().update(vettingApplications).set({ createdAt: sql`now() - interval '5 days'` }).where(eq(vettingApplications.id, waiting.applicationId));
    const waitingBefore = (await listVettingQueue(actor, "open")).counts.info_requested ?? 0;
    await decideApplication(actor, waiting.applicationId, { intent: "request_info", question: "Which unit?" }, origin);
    const member = actorFor(await createUser({ traits: ["verified", "member"] }));
    await vouchFor(member, { applicationId: newer.applicationId, statement: "Known to me." }, null);

    const { rows, counts } = await listVettingQueue(actor, "open");
    const ids = rows.map((row) => row.id);
    const position = (id: string) => ids.indexOf(id);
    expect(position(older.applicationId)).toBeLessThan(position(newer.applicationId));
    expect(position(newer.applicationId)).toBeLessThan(position(waiting.applicationId));
    const olderRow = rows.find((row) => row.id === older.applicationId)!;
    expect(olderRow).toMatchObject({ ageDays: 3, vouches: 0, officialDomainAllowlisted: false, officialEmailVerified: false });
    expect(rows.find((row) => row.id === newer.applicationId)?.vouches).toBe(1);
    expect(counts.info_requested).toBe(waitingBefore + 1);

    const onlyWaiting = await listVettingQueue(actor, "info_requested");
    expect(onlyWaiting.rows.map((row) => row.id)).toEqual([waiting.applicationId]);
  });

  it("shows the organizer the whole application: vouches and history", async () => {
    const actor = await organizer();
    const { applicant, applicationId } = await openApplication();
    const member = actorFor(await createUser({ traits: ["verified", "member"], name: "Vera Voucher" }));
    await vouchFor(member, { applicationId, statement: "Worked together." }, null);
    await decideApplication(actor, applicationId, { intent: "request_info", question: "Which unit?" }, origin);
    const review = await getApplicationForReview(actor, applicationId);
    expect(review?.applicant.email).toBe(applicant.email);
    expect(review?.vouches).toEqual([expect.objectContaining({ voucherName: "Vera Voucher", statement: "Worked together." })]);
    expect(review?.history.map((entry) => entry.action)).toEqual(["vetting.applied", "vetting.vouched", "vetting.info_requested"]);
    expect(review?.open).toBe(true);
  });
});
