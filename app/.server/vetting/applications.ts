import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { getDb, type Executor, type Transaction } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { vettingApplications, type VettingApplication } from "#db/schema/vetting.ts";
import { consumeEmailToken, issueEmailToken, peekEmailToken } from "../accounts/email-tokens.ts";
import { recordAudit } from "../audit/log.ts";
import { config } from "../config.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { domainOfEmail, findAllowlistEntry } from "./allowlist.ts";
import { OPEN_STATUSES } from "./context.ts";
import type { RequestOrigin } from "../accounts/site-url.ts";
import { applicationReceivedMail, officialEmailVerificationMail } from "./mails.ts";
import type { ApplyInput } from "./schemas.ts";

const DAY_MS = 86_400_000;

/** A member may apply again (a renewal) once their membership is within the reminder window of its end. */
export function renewalOpensAt(memberUntil: Date): Date {
  return new Date(memberUntil.getTime() - config().membership.reminderDays * DAY_MS);
}

function isOpen(status: VettingApplication["status"]): boolean {
  return (OPEN_STATUSES as readonly string[]).includes(status);
}

export type VettingOverview = {
  member: { until: Date; renewableFrom: Date } | null;
  expiredOn: Date | null;
  suspended: boolean;
  application: VettingApplication | null;
  canApply: boolean;
  defaults: { agency: string };
};

/** What /vetting shows a user: their membership, their latest application, and whether they may apply now. */
export async function getVettingOverview(userId: string, now = new Date()): Promise<VettingOverview> {
  const [user] = await getDb()
    .select({ memberUntil: users.memberUntil, status: users.status, agency: users.agency })
    .from(users)
    .where(eq(users.id, userId));
  if (!user) throw new Response("Not Found", { status: 404 });
  const [application] = await getDb()
    .select()
    .from(vettingApplications)
    .where(eq(vettingApplications.userId, userId))
    .orderBy(desc(vettingApplications.createdAt))
    .limit(1);
  const until = user.memberUntil && user.memberUntil > now ? user.memberUntil : null;
  const member = until ? { until, renewableFrom: renewalOpensAt(until) } : null;
  const hasOpen = application !== undefined && isOpen(application.status);
  return {
    member,
    expiredOn: user.memberUntil && !until ? user.memberUntil : null,
    suspended: user.status === "suspended",
    application: application ?? null,
    canApply: user.status === "active" && !hasOpen && (member === null || member.renewableFrom <= now),
    defaults: { agency: user.agency },
  };
}

export type ApplyOutcome =
  | { outcome: "created"; applicationId: string; allowlistedBy: string | null }
  | { outcome: "existing"; applicationId: string }
  | { outcome: "already_member"; memberUntil: Date };

/**
 * Files an application, with its audit entry and mails, in one transaction. A second submit while one is open
 * (a double click, a second tab) answers with the open one: the partial unique index lets only one exist.
 */
export async function submitApplication(applicantId: string, input: ApplyInput, origin: RequestOrigin): Promise<ApplyOutcome> {
  return getDb().transaction(async (tx) => {
    const [user] = await tx
      .select({ id: users.id, email: users.email, name: users.name, memberUntil: users.memberUntil })
      .from(users)
      .where(and(eq(users.id, applicantId), eq(users.status, "active"), sql`${users.emailVerifiedAt} is not null`));
    if (!user) throw new Response("Only active accounts with a verified address can apply.", { status: 403 });
    const now = new Date();
    if (user.memberUntil && user.memberUntil > now && renewalOpensAt(user.memberUntil) > now) {
      return { outcome: "already_member", memberUntil: user.memberUntil };
    }

    const allowlistedBy = await findAllowlistEntry(input.officialEmail, tx);
    // The account's own address is already verified: when it is the official one, no second link is needed.
    const verifiedByAccount = allowlistedBy !== null && input.officialEmail === user.email;
    const [created] = await tx
      .insert(vettingApplications)
      .values({
        userId: user.id,
        agency: input.agency,
        officialEmail: input.officialEmail,
        officialDomainAllowlisted: allowlistedBy !== null,
        officialEmailVerifiedAt: verifiedByAccount ? sql`now()` : null,
        sponsorName: input.sponsorName,
        sponsorEmail: input.sponsorEmail,
        reason: input.reason,
      })
      .onConflictDoNothing()
      .returning({ id: vettingApplications.id });
    if (!created) {
      const open = await findOpenApplication(user.id, tx);
      if (!open) throw new Error("An application conflicted with an open one that no longer exists.");
      return { outcome: "existing", applicationId: open.id };
    }

    const renewal = user.memberUntil !== null && user.memberUntil > now;
    await recordAudit(
      {
        action: "vetting.applied",
        actorId: user.id,
        subjectType: "vetting_application",
        subjectId: created.id,
        ip: origin.ip,
        details: { agency: input.agency, officialDomain: domainOfEmail(input.officialEmail), allowlistedBy, renewal },
      },
      tx,
    );
    const sendLink = allowlistedBy !== null && !verifiedByAccount;
    await enqueueMail(applicationReceivedMail(user.email, user.name, origin.link("/vetting"), sendLink), tx);
    if (sendLink) await sendVerificationLink({ userId: user.id, name: user.name, applicationId: created.id, officialEmail: input.officialEmail }, origin, tx);
    if (verifiedByAccount) {
      await recordAudit(
        { action: "vetting.official_email_verified", actorId: user.id, subjectType: "vetting_application", subjectId: created.id, ip: origin.ip, details: { via: "account address" } },
        tx,
      );
    }
    return { outcome: "created", applicationId: created.id, allowlistedBy };
  });
}

async function findOpenApplication(userId: string, tx: Executor) {
  const [open] = await tx
    .select()
    .from(vettingApplications)
    .where(and(eq(vettingApplications.userId, userId), inArray(vettingApplications.status, [...OPEN_STATUSES])));
  return open ?? null;
}

async function sendVerificationLink(
  input: { userId: string; name: string; applicationId: string; officialEmail: string },
  origin: RequestOrigin,
  tx: Transaction,
): Promise<void> {
  const token = await issueEmailToken(
    { userId: input.userId, purpose: "verify-official-email", email: input.officialEmail, subjectId: input.applicationId },
    tx,
  );
  // The applicant's mail, whoever else may hold an account on their official address.
  await enqueueMail({ ...officialEmailVerificationMail(input.officialEmail, input.name, origin.link(`/vetting/verify?token=${token}`)), userId: input.userId }, tx);
}

/**
 * Sends the official-address link again (it lasts 48 hours). The allowlist is checked afresh, so a domain the
 * organizers added after the application was filed gets its link too.
 */
export async function resendOfficialEmailLink(userId: string, origin: RequestOrigin): Promise<"sent" | "not_allowlisted" | "nothing_to_verify"> {
  return getDb().transaction(async (tx) => {
    const open = await findOpenApplication(userId, tx);
    if (!open || open.officialEmailVerifiedAt) return "nothing_to_verify";
    const allowlistedBy = await findAllowlistEntry(open.officialEmail, tx);
    if (!allowlistedBy) return "not_allowlisted";
    if (!open.officialDomainAllowlisted) {
      await tx.update(vettingApplications).set({ officialDomainAllowlisted: true, updatedAt: sql`now()` }).where(eq(vettingApplications.id, open.id));
    }
    const [user] = await tx.select({ name: users.name }).from(users).where(eq(users.id, userId));
    await sendVerificationLink({ userId, name: user?.name ?? "", applicationId: open.id, officialEmail: open.officialEmail }, origin, tx);
    return "sent";
  });
}

/** The address a verification link is for, if the link still works (for the page with the confirm button). */
export async function checkOfficialEmailToken(token: string): Promise<{ email: string } | null> {
  const found = await peekEmailToken(token, "verify-official-email");
  return found ? { email: found.email } : null;
}

/**
 * Uses a verification link: the link is spent and the application marked in one transaction. The link only
 * counts for the application and the address it was sent for, and only while that application is open.
 */
export async function verifyOfficialEmail(token: string, ip: string | null): Promise<"verified" | "invalid"> {
  return getDb().transaction(async (tx) => {
    const consumed = await consumeEmailToken(token, "verify-official-email", tx);
    if (!consumed?.subjectId) return "invalid";
    const [updated] = await tx
      .update(vettingApplications)
      .set({ officialEmailVerifiedAt: sql`coalesce(${vettingApplications.officialEmailVerifiedAt}, now())`, updatedAt: sql`now()` })
      .where(
        and(
          eq(vettingApplications.id, consumed.subjectId),
          eq(vettingApplications.userId, consumed.userId),
          eq(vettingApplications.officialEmail, consumed.email),
          inArray(vettingApplications.status, [...OPEN_STATUSES]),
        ),
      )
      .returning({ id: vettingApplications.id });
    if (!updated) return "invalid";
    await recordAudit(
      {
        action: "vetting.official_email_verified",
        actorId: consumed.userId,
        subjectType: "vetting_application",
        subjectId: updated.id,
        ip,
        details: { officialDomain: domainOfEmail(consumed.email) },
      },
      tx,
    );
    return "verified";
  });
}

/**
 * The applicant's answer to an organizer's question; it puts the application back in the review queue. A second
 * submit finds the application no longer waiting and changes nothing.
 */
export async function replyToInformationRequest(
  userId: string,
  input: { applicationId: string; reply: string },
  ip: string | null = null,
): Promise<"replied" | "not_waiting"> {
  return getDb().transaction(async (tx) => {
    const updated = await tx
      .update(vettingApplications)
      .set({ status: "submitted", applicantReply: input.reply, updatedAt: sql`now()` })
      .where(
        and(
          eq(vettingApplications.id, input.applicationId),
          eq(vettingApplications.userId, userId),
          eq(vettingApplications.status, "info_requested"),
        ),
      )
      .returning({ id: vettingApplications.id });
    if (updated.length === 0) return "not_waiting";
    await recordAudit({ action: "vetting.info_provided", actorId: userId, subjectType: "vetting_application", subjectId: input.applicationId, ip }, tx);
    return "replied";
  });
}

/** Withdraws one's own open application, e.g. to correct the official address and apply again. */
export async function withdrawApplication(userId: string, applicationId: string, ip: string | null = null): Promise<"withdrawn" | "not_open"> {
  return getDb().transaction(async (tx) => {
    const updated = await tx
      .update(vettingApplications)
      .set({ status: "withdrawn", updatedAt: sql`now()` })
      .where(
        and(
          eq(vettingApplications.id, applicationId),
          eq(vettingApplications.userId, userId),
          inArray(vettingApplications.status, [...OPEN_STATUSES]),
        ),
      )
      .returning({ id: vettingApplications.id });
    if (updated.length === 0) return "not_open";
    await recordAudit({ action: "vetting.withdrawn", actorId: userId, subjectType: "vetting_application", subjectId: applicationId, ip }, tx);
    return "withdrawn";
  });
}
