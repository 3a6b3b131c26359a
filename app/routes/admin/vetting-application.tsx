import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ConfirmAction, SubmitButton, TextareaField, ValidatedForm } from "#app/components/forms.tsx";
import { countryName } from "#app/.server/accounts/countries.ts";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { auditActionLabel, describeDetails, type AuditDetail } from "#app/.server/admin/audit-text.ts";
import { NotFoundError } from "#app/.server/errors.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { formSuccess, handleForm, refuse } from "#app/.server/http/forms.ts";
import { decideApplication, getApplicationForReview } from "#app/.server/vetting/review.ts";
import { DecisionSchema } from "#app/.server/vetting/schemas.ts";
import { DATE_TIME } from "#app/shared/dates.ts";

export const meta = errorAwareMeta<typeof loader>(({ data }) => [
  { title: data ? `Application of ${data.applicant.name} · Liaison` : "Application · Liaison" },
]);

const STATUS_LABELS = {
  submitted: "Submitted: waiting for a decision",
  info_requested: "Waiting for the applicant's answer",
  approved: "Approved",
  rejected: "Rejected",
  withdrawn: "Withdrawn by the applicant",
} as const;

function applicationId(params: LoaderFunctionArgs["params"]): string {
  const parsed = z.uuid().safeParse(params.applicationId);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "approve:vetting");
  const review = await getApplicationForReview(viewer, applicationId(params));
  if (!review) throw new NotFoundError();
  return {
    ...review,
    applicant: {
      ...review.applicant,
      country: countryName(review.applicant.country),
      memberNow: review.applicant.memberUntil !== null && review.applicant.memberUntil > new Date(),
    },
    history: historyOf(review.history, review.application.applicantReply),
    constraints: {
      request_info: formConstraints(DecisionSchema, "request_info"),
      reject: formConstraints(DecisionSchema, "reject"),
    },
  };
}

type HistoryEntry = { id: number; at: Date; action: string; actorName: string | null; details: Record<string, unknown> };

/**
 * The application's history as the organizers read it: each entry labelled, with its details. The applicant's answer
 * belongs to the entry in which they gave it; a decision records the answer the organizer had in front of them, which
 * moves to the answer entry before it rather than reading as part of the decision.
 */
function historyOf(entries: HistoryEntry[], latestReply: string | null) {
  const shown = entries.map((entry) => ({
    id: entry.id,
    at: entry.at,
    label: auditActionLabel(entry.action),
    actorName: entry.actorName,
    answer: entry.action === "vetting.info_provided",
    details: describeDetails(Object.fromEntries(Object.entries(entry.details).filter(([key]) => key !== "applicantReply"))) as AuditDetail[],
  }));
  const answers = entries.map((entry) => (typeof entry.details.applicantReply === "string" ? entry.details.applicantReply : ""));
  let lastAnswer = -1;
  shown.forEach((entry, index) => {
    if (entry.answer) lastAnswer = index;
    const carried = answers[index];
    if (carried && lastAnswer >= 0 && !shown[lastAnswer]!.details.some((detail) => detail.label === "Applicant's answer")) {
      shown[lastAnswer]!.details.push({ label: "Applicant's answer", text: carried });
    }
  });
  // An answer not yet followed by a decision is the application's current reply.
  const pending = lastAnswer >= 0 ? shown[lastAnswer]! : null;
  if (pending && latestReply && !pending.details.some((detail) => detail.label === "Applicant's answer")) {
    pending.details.push({ label: "Applicant's answer", text: latestReply });
  }
  return shown;
}

const DONE = {
  approved: "Approved: the applicant is a member now, and has been told by mail.",
  rejected: "Rejected: the applicant has been told, with your reason.",
  info_requested: "Your question is on its way to the applicant. The application comes back to the queue when they answer.",
  submitted: "The application is open.",
  withdrawn: "The application is withdrawn.",
} as const;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "approve:vetting");
  const id = applicationId(params);
  return handleForm(request, DecisionSchema, async (decision) => {
    const result = await decideApplication(viewer, id, decision, { ip: context.ip, link: (path) => siteUrl(request, path) });
    switch (result.outcome) {
      case "decided":
        return formSuccess(DONE[result.status]);
      case "not_found":
        throw new NotFoundError();
      case "own_application":
        return refuse("You cannot decide on your own application: another organizer has to.", 403);
      case "closed":
        return refuse(
          `This application is no longer open: it is ${STATUS_LABELS[result.status].toLowerCase()}. Perhaps another organizer decided it a moment ago; the page now shows where it stands.`,
          409,
        );
    }
  });
}

function When({ date }: { date: Date }) {
  return <time dateTime={date.toISOString()}>{DATE_TIME.format(date)} UTC</time>;
}

/** Text as the applicant typed it: one paragraph per line (the stylesheet has no pre-wrap class). */
function Paragraphs({ text }: { text: string }) {
  return (
    <>
      {text
        .split(/\n+/)
        .filter((line) => line.trim())
        .map((line, index) => (
          <p key={index} dir="auto">
            {line}
          </p>
        ))}
    </>
  );
}

export default function VettingApplication() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const { application, applicant } = page;
  const decided = reply?.status === "success" ? reply : null;
  return (
    <article>
      <p>
        <Link to="/admin/vetting">← Back to the queue</Link>
      </p>
      <h1>
        Application of <span dir="auto">{applicant.name}</span>
      </h1>
      {decided?.notice ? (
        <p className="notice success" role="status">
          {decided.notice}
        </p>
      ) : null}
      <p>
        <span className="badge">{STATUS_LABELS[application.status]}</span> Submitted <When date={application.createdAt} />
        {application.decidedAt ? (
          <>
            , decided <When date={application.decidedAt} />
          </>
        ) : null}
      </p>

      <div className="cards">
        <section className="card" aria-labelledby="application-title">
          <h2 id="application-title">The application</h2>
          <dl>
            <dt>Agency</dt>
            <dd dir="auto">{application.agency}</dd>
            <dt>Official email address</dt>
            <dd>
              <span className="wrap">{application.officialEmail}</span>
              <br />
              {application.officialEmailVerifiedAt ? (
                <span className="badge">Verified official address</span>
              ) : application.officialDomainAllowlisted ? (
                <span className="badge">Allowlisted domain, link not yet used</span>
              ) : (
                <span className="badge">Domain not on the allowlist</span>
              )}
            </dd>
            <dt>Supervisor or sponsor</dt>
            <dd>
              <span dir="auto">{application.sponsorName}</span>, <a href={`mailto:${application.sponsorEmail}`}>{application.sponsorEmail}</a>
            </dd>
          </dl>
          <h3>Why they want to join</h3>
          <Paragraphs text={application.reason} />
          {application.decisionNote ? (
            <>
              <h3>{application.status === "rejected" ? "Reason for the rejection" : "The organizers' question"}</h3>
              <Paragraphs text={application.decisionNote} />
            </>
          ) : null}
          {application.applicantReply ? (
            <>
              <h3>The applicant's answer</h3>
              <Paragraphs text={application.applicantReply} />
            </>
          ) : null}
        </section>

        <section className="card" aria-labelledby="account-title">
          <h2 id="account-title">The account</h2>
          <dl>
            <dt>Name</dt>
            <dd dir="auto">
              <Link to={`/admin/users/${applicant.id}`}>{applicant.name}</Link>
            </dd>
            <dt>Account email</dt>
            <dd>
              {applicant.email} {applicant.emailVerifiedAt ? <span className="badge">Verified</span> : <span className="badge">Not verified</span>}
            </dd>
            <dt>Agency and job title (profile)</dt>
            <dd dir="auto">
              {applicant.agency}, {applicant.jobTitle}
            </dd>
            <dt>Country</dt>
            <dd>{applicant.country}</dd>
            <dt>Account created</dt>
            <dd>
              <When date={applicant.createdAt} />
            </dd>
            <dt>Membership</dt>
            <dd>
              {applicant.memberUntil ? (
                <>
                  {applicant.memberNow ? "Member until " : "Expired on "}
                  <When date={applicant.memberUntil} />
                </>
              ) : (
                "Never a member"
              )}
            </dd>
            {applicant.roles.length ? (
              <>
                <dt>Roles</dt>
                <dd>{applicant.roles.join(", ")}</dd>
              </>
            ) : null}
            {applicant.status === "suspended" ? (
              <>
                <dt>Suspended</dt>
                <dd>{applicant.suspendedReason}</dd>
              </>
            ) : null}
          </dl>
          {page.earlier.length ? (
            <>
              <h3>Earlier applications</h3>
              <ul>
                {page.earlier.map((earlier) => (
                  <li key={earlier.id}>
                    <Link to={`/admin/vetting/${earlier.id}`}>
                      <When date={earlier.createdAt} />
                    </Link>
                    : {STATUS_LABELS[earlier.status]}
                    {earlier.decisionNote ? ` (${earlier.decisionNote})` : ""}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </section>
      </div>

      <section aria-labelledby="vouches-title">
        <h2 id="vouches-title">Vouches ({page.vouches.length})</h2>
        {page.vouches.length === 0 ? (
          <p>No member has vouched for this applicant yet.</p>
        ) : (
          <ul>
            {page.vouches.map((vouch) => (
              <li key={`${vouch.voucherName}-${vouch.createdAt.toISOString()}`}>
                <strong dir="auto">{vouch.voucherName}</strong> (<span dir="auto">{vouch.voucherAgency}</span>), <When date={vouch.createdAt} />:{" "}
                <span dir="auto">{vouch.statement}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      {page.open ? (
        page.ownApplication ? (
          <p className="notice">This is your own application: another organizer has to decide it.</p>
        ) : (
          <section aria-labelledby="decide-title">
            <h2 id="decide-title">Decide</h2>
            <div className="cards">
              <ValidatedForm announce={false} reply={reply} intent="approve" className="card form">
                <h3>Approve</h3>
                <p>The applicant becomes a member for a year and is told by mail.</p>
                {!application.officialEmailVerifiedAt ? (
                  <p className="muted">Note: the official address has not been confirmed through a link.</p>
                ) : null}
                <ConfirmAction label="Approve" confirmLabel="Yes, approve the application">
                  <p dir="auto">{applicant.name} becomes a vetted member at once, with access to the board and the directory.</p>
                </ConfirmAction>
              </ValidatedForm>
              <ValidatedForm announce={false} reply={reply} intent="request_info" constraints={page.constraints.request_info} className="card form" resetOnSuccess>
                <h3>Ask for more information</h3>
                <TextareaField name="question" label="Your question" hint="The applicant reads it and answers on their vetting page." rows={4} />
                <SubmitButton className="secondary">Send the question</SubmitButton>
              </ValidatedForm>
              <ValidatedForm announce={false} reply={reply} intent="reject" constraints={page.constraints.reject} className="card form">
                <h3>Reject</h3>
                <TextareaField name="reason" label="Reason" hint="The applicant reads it. They may apply again later." rows={4} />
                <SubmitButton className="danger">Reject</SubmitButton>
              </ValidatedForm>
            </div>
          </section>
        )
      ) : null}

      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <ol>
          {page.history.map((entry) => (
            <li key={entry.id}>
              <When date={entry.at} />: {entry.label}
              {entry.actorName ? (
                <>
                  {" "}
                  by <span dir="auto">{entry.actorName}</span>
                </>
              ) : null}
              {entry.details.map((detail) => (
                <div key={detail.label} dir="auto">
                  <p className="muted">{detail.label}:</p>
                  <Paragraphs text={detail.text} />
                </div>
              ))}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
