import { and, asc, desc, eq, inArray, ne, sql, type SQL } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { auditLog } from "#db/schema/audit.ts";
import { users } from "#db/schema/accounts.ts";
import { VETTING_STATUSES, vettingApplications, vettingVouches, type VettingStatus } from "#db/schema/vetting.ts";
import { recordAudit } from "../audit/log.ts";
import { config } from "../config.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { OPEN_STATUSES } from "./context.ts";
import { assertPermission, type Actor } from "../accounts/permissions.ts";
import type { RequestOrigin } from "../accounts/site-url.ts";
import { approvedMail, informationRequestedMail, rejectedMail } from "./mails.ts";
import type { Decision } from "./schemas.ts";

const DELETED_VOUCHER = "A member who has since deleted their account";

export const QUEUE_FILTERS = ["open", ...VETTING_STATUSES, "all"] as const;
export type QueueFilter = (typeof QUEUE_FILTERS)[number];

export function parseQueueFilter(value: string | null): QueueFilter {
  return (QUEUE_FILTERS as readonly string[]).includes(value ?? "") ? (value as QueueFilter) : "open";
}

const openStatuses = inArray(vettingApplications.status, [...OPEN_STATUSES]);

/**
 * The review queue. Open applications come submitted first (they wait on the organizers), then those waiting on
 * the applicant, oldest first within each; decided ones come latest decision first.
 */
export async function listVettingQueue(actor: Actor, filter: QueueFilter) {
  assertPermission(actor, "approve:vetting");
  const where: SQL | undefined =
    filter === "open" ? openStatuses : filter === "all" ? undefined : eq(vettingApplications.status, filter);
  const order =
    filter === "open" || filter === "submitted" || filter === "info_requested"
      ? [sql`case when ${vettingApplications.status} = 'submitted' then 0 else 1 end`, asc(vettingApplications.createdAt)]
      : [sql`${vettingApplications.decidedAt} desc nulls last`, desc(vettingApplications.updatedAt)];
  const rows = await getDb()
    .select({
      id: vettingApplications.id,
      status: vettingApplications.status,
      agency: vettingApplications.agency,
      officialEmail: vettingApplications.officialEmail,
      officialEmailVerified: sql<boolean>`${vettingApplications.officialEmailVerifiedAt} is not null`,
      officialDomainAllowlisted: vettingApplications.officialDomainAllowlisted,
      submittedAt: vettingApplications.createdAt,
      decidedAt: vettingApplications.decidedAt,
      ageDays: sql<number>`floor(extract(epoch from (now() - ${vettingApplications.createdAt})) / 86400)::int`,
      vouches: sql<number>`(select count(*) from ${vettingVouches} where ${vettingVouches.applicationId} = ${vettingApplications.id})::int`,
      applicantName: users.name,
      applicantEmail: users.email,
      // Only an open application can still be a renewal: once approved, the applicant is simply a member.
      renewal: sql<boolean>`coalesce(${users.memberUntil} > now(), false) and ${vettingApplications.status} in ('submitted', 'info_requested')`,
      applicantSuspended: sql<boolean>`${users.status} = 'suspended'`,
    })
    .from(vettingApplications)
    .innerJoin(users, eq(users.id, vettingApplications.userId))
    .where(where)
    .orderBy(...order)
    .limit(500);
  const counts = await getDb()
    .select({ status: vettingApplications.status, count: sql<number>`count(*)::int` })
    .from(vettingApplications)
    .groupBy(vettingApplications.status);
  const byStatus = Object.fromEntries(counts.map((row) => [row.status, Number(row.count)])) as Partial<Record<VettingStatus, number>>;
  return { rows: rows.map((row) => ({ ...row, ageDays: Number(row.ageDays), vouches: Number(row.vouches) })), counts: byStatus };
}

/** Everything an organizer needs to decide: the application, the account behind it, vouches and history. */
export async function getApplicationForReview(actor: Actor, applicationId: string) {
  assertPermission(actor, "approve:vetting");
  const [application] = await getDb().select().from(vettingApplications).where(eq(vettingApplications.id, applicationId));
  if (!application) return null;
  const [applicant] = await getDb()
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      emailVerifiedAt: users.emailVerifiedAt,
      agency: users.agency,
      jobTitle: users.jobTitle,
      country: users.country,
      roles: users.roles,
      memberUntil: users.memberUntil,
      status: users.status,
      suspendedReason: users.suspendedReason,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(eq(users.id, application.userId));
  const vouches = await getDb()
    .select({
      // A voucher who deleted their account leaves the vouch, without who they were.
      voucherName: sql<string>`coalesce(${users.name}, ${DELETED_VOUCHER})`,
      voucherAgency: sql<string>`coalesce(${users.agency}, 'agency not kept')`,
      voucherCountry: sql<string>`coalesce(${users.country}, '')`,
      statement: vettingVouches.statement,
      createdAt: vettingVouches.createdAt,
    })
    .from(vettingVouches)
    .leftJoin(users, eq(users.id, vettingVouches.voucherId))
    .where(eq(vettingVouches.applicationId, applicationId))
    .orderBy(asc(vettingVouches.createdAt));
  const history = await getDb()
    .select({ id: auditLog.id, at: auditLog.at, action: auditLog.action, actorName: users.name, details: auditLog.details })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(and(eq(auditLog.subjectType, "vetting_application"), eq(auditLog.subjectId, applicationId)))
    .orderBy(asc(auditLog.at), asc(auditLog.id));
  const earlier = await getDb()
    .select({ id: vettingApplications.id, status: vettingApplications.status, createdAt: vettingApplications.createdAt, decisionNote: vettingApplications.decisionNote })
    .from(vettingApplications)
    .where(and(eq(vettingApplications.userId, application.userId), ne(vettingApplications.id, applicationId)))
    .orderBy(desc(vettingApplications.createdAt));
  return {
    application,
    applicant: applicant!,
    vouches,
    history,
    earlier,
    open: (OPEN_STATUSES as readonly string[]).includes(application.status),
    ownApplication: application.userId === actor.id,
  };
}

export type DecisionOutcome =
  | { outcome: "decided"; status: VettingStatus; memberUntil: Date | null }
  | { outcome: "not_found" }
  | { outcome: "own_application" }
  | { outcome: "closed"; status: VettingStatus };

const DECIDED_STATUS = { approve: "approved", reject: "rejected", request_info: "info_requested" } as const;

/**
 * Approves, rejects or asks for more. The UPDATE only touches an open application, so of two organizers
 * deciding at once exactly one wins; the other is told what happened instead. Audit and mail share the transaction.
 */
export async function decideApplication(actor: Actor, applicationId: string, decision: Decision, origin: RequestOrigin): Promise<DecisionOutcome> {
  assertPermission(actor, "approve:vetting");
  const status = DECIDED_STATUS[decision.intent];
  const note = decision.intent === "reject" ? decision.reason : decision.intent === "request_info" ? decision.question : null;
  const final = decision.intent !== "request_info";
  return getDb().transaction(async (tx): Promise<DecisionOutcome> => {
    // The row lock makes a second organizer wait for the first decision and then see it.
    const [current] = await tx
      .select({ status: vettingApplications.status, userId: vettingApplications.userId, applicantReply: vettingApplications.applicantReply })
      .from(vettingApplications)
      .where(eq(vettingApplications.id, applicationId))
      .for("update");
    if (!current) return { outcome: "not_found" };
    if (current.userId === actor.id) return { outcome: "own_application" };
    const [updated] = await tx
      .update(vettingApplications)
      .set({
        status,
        decisionNote: note,
        // A new question awaits a new answer; the previous answer stays in the audit entry below.
        ...(final ? { decidedById: actor.id, decidedAt: sql`now()` } : { applicantReply: null }),
        updatedAt: sql`now()`,
      })
      .where(and(eq(vettingApplications.id, applicationId), openStatuses, ne(vettingApplications.userId, actor.id)))
      .returning({ userId: vettingApplications.userId });
    if (!updated) return { outcome: "closed", status: current.status };

    let memberUntil: Date | null = null;
    if (decision.intent === "approve") {
      // A renewal runs on from the end of the current membership; a first approval from today.
      const [member] = await tx
        .update(users)
        .set({
          memberUntil: sql`greatest(coalesce(${users.memberUntil}, now()), now()) + make_interval(days => ${config().membership.days})`,
          membershipReminderSentAt: null,
          updatedAt: sql`now()`,
        })
        .where(eq(users.id, updated.userId))
        .returning({ memberUntil: users.memberUntil });
      memberUntil = member?.memberUntil ?? null;
    }
    const [applicant] = await tx.select({ email: users.email, name: users.name }).from(users).where(eq(users.id, updated.userId));
    const action = decision.intent === "approve" ? "vetting.approved" : decision.intent === "reject" ? "vetting.rejected" : "vetting.info_requested";
    await recordAudit(
      {
        action,
        actorId: actor.id,
        subjectType: "vetting_application",
        subjectId: applicationId,
        ip: origin.ip,
        details: {
          applicantId: updated.userId,
          // The answer the organizer had in front of them: the row keeps only the latest one.
          ...(current.applicantReply ? { applicantReply: current.applicantReply } : {}),
          ...(decision.intent === "reject" ? { reason: decision.reason } : {}),
          ...(decision.intent === "request_info" ? { question: decision.question } : {}),
          ...(memberUntil ? { memberUntil: memberUntil.toISOString() } : {}),
        },
      },
      tx,
    );
    if (applicant) {
      const statusLink = origin.link("/vetting");
      const mail =
        decision.intent === "approve"
          ? approvedMail(applicant.email, applicant.name, memberUntil!, origin.link("/forum"))
          : decision.intent === "reject"
            ? rejectedMail(applicant.email, applicant.name, decision.reason, statusLink)
            : informationRequestedMail(applicant.email, applicant.name, decision.question, statusLink);
      await enqueueMail(mail, tx);
    }
    return { outcome: "decided", status, memberUntil };
  });
}
