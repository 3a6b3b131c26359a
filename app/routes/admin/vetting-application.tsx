import { redirect, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { z } from "zod";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormErrors, SubmitButton, TextareaField } from "#app/components/forms.tsx";
import { countryName } from "#app/.server/accounts/countries.ts";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { formError, invalidForm, parseForm } from "#app/.server/http/forms.ts";
import { decideApplication, getApplicationForReview } from "#app/.server/vetting/review.ts";
import { DecisionSchema, LIMITS } from "#app/.server/vetting/schemas.ts";
import { DATE_TIME } from "#app/shared/dates.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `Application of ${data.applicant.name} · Liaison` : "Application · Liaison" },
];

const STATUS_LABELS = {
  submitted: "Submitted: waiting for a decision",
  info_requested: "Waiting for the applicant's answer",
  approved: "Approved",
  rejected: "Rejected",
  withdrawn: "Withdrawn by the applicant",
} as const;

const DONE = {
  approved: "Approved: the applicant is a member now, and has been told by mail.",
  rejected: "Rejected: the applicant has been told, with your reason.",
  info_requested: "Your question is on its way to the applicant. The application comes back to the queue when they answer.",
} as const;

function applicationId(params: LoaderFunctionArgs["params"]): string {
  const parsed = z.uuid().safeParse(params.applicationId);
  if (!parsed.success) throw new Response("Not Found", { status: 404 });
  return parsed.data;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "approve:vetting");
  const review = await getApplicationForReview(viewer, applicationId(params));
  if (!review) throw new Response("Not Found", { status: 404 });
  const done = new URL(request.url).searchParams.get("done");
  return {
    ...review,
    applicant: {
      ...review.applicant,
      country: countryName(review.applicant.country),
      memberNow: review.applicant.memberUntil !== null && review.applicant.memberUntil > new Date(),
    },
    history: review.history.map((entry) => ({ ...entry, details: describeDetails(entry.details) })),
    notice: done && done in DONE ? DONE[done as keyof typeof DONE] : null,
    limit: LIMITS.note,
  };
}

/** The parts of an audit entry's details worth showing beside it, as label and text. */
function describeDetails(details: Record<string, unknown>): { label: string; text: string }[] {
  const labels: Record<string, string> = {
    question: "Question",
    reason: "Reason",
    statement: "Statement",
    applicantReply: "Applicant's answer",
    allowlistedBy: "Allowlist entry",
    via: "Confirmed through",
  };
  return Object.entries(labels).flatMap(([key, label]) => {
    const value = details[key];
    return typeof value === "string" && value ? [{ label, text: value }] : [];
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "approve:vetting");
  const id = applicationId(params);
  const form = await parseForm(request, DecisionSchema);
  if (!form.ok) return invalidForm(form.errors);
  const result = await decideApplication(viewer, id, form.data, { ip: context.ip, link: (path) => siteUrl(request, path) });
  switch (result.outcome) {
    case "decided":
      throw redirect(`/admin/vetting/${id}?done=${result.status}`);
    case "not_found":
      throw new Response("Not Found", { status: 404 });
    case "own_application":
      return formError("You cannot decide on your own application: another organizer has to.", 403);
    case "closed":
      return formError(
        `This application is no longer open: it is ${STATUS_LABELS[result.status].toLowerCase()}. Perhaps another organizer decided it a moment ago; the page now shows where it stands.`,
        409,
      );
  }
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
          <p key={index}>{line}</p>
        ))}
    </>
  );
}

const ACTION_LABELS: Record<string, string> = {
  "vetting.applied": "Applied",
  "vetting.official_email_verified": "Official address confirmed",
  "vetting.vouched": "Vouched",
  "vetting.info_requested": "Asked for more information",
  "vetting.approved": "Approved",
  "vetting.rejected": "Rejected",
};

export default function VettingApplication() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors;
  const { application, applicant } = page;
  return (
    <article>
      <p>
        <Link to="/admin/vetting">← Back to the queue</Link>
      </p>
      <h1>Application of {applicant.name}</h1>
      {page.notice ? <p className="notice success">{page.notice}</p> : null}
      <FormErrors errors={errors} />
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
            <dd>{application.agency}</dd>
            <dt>Official email address</dt>
            <dd>
              {application.officialEmail}
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
              {application.sponsorName}, <a href={`mailto:${application.sponsorEmail}`}>{application.sponsorEmail}</a>
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
            <dd>{applicant.name}</dd>
            <dt>Account email</dt>
            <dd>
              {applicant.email} {applicant.emailVerifiedAt ? <span className="badge">Verified</span> : <span className="badge">Not verified</span>}
            </dd>
            <dt>Agency and job title (profile)</dt>
            <dd>
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
                <strong>{vouch.voucherName}</strong> ({vouch.voucherAgency}), <When date={vouch.createdAt} />: {vouch.statement}
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
              <Form method="post" className="card form">
                <h3>Approve</h3>
                <p>The applicant becomes a member for a year and is told by mail.</p>
                {!application.officialEmailVerifiedAt ? (
                  <p className="muted">Note: the official address has not been confirmed through a link.</p>
                ) : null}
                <SubmitButton name="intent" value="approve">
                  Approve
                </SubmitButton>
              </Form>
              <Form method="post" className="card form" noValidate>
                <h3>Ask for more information</h3>
                <input type="hidden" name="intent" value="request_info" />
                <TextareaField name="question" label="Your question" hint="The applicant reads it and answers on their vetting page." rows={4} maxLength={page.limit} required errors={errors} />
                <SubmitButton className="secondary">Send the question</SubmitButton>
              </Form>
              <Form method="post" className="card form" noValidate>
                <h3>Reject</h3>
                <input type="hidden" name="intent" value="reject" />
                <TextareaField name="reason" label="Reason" hint="The applicant reads it. They may apply again later." rows={4} maxLength={page.limit} required errors={errors} />
                <SubmitButton className="danger">Reject</SubmitButton>
              </Form>
            </div>
          </section>
        )
      ) : null}

      <section aria-labelledby="history-title">
        <h2 id="history-title">History</h2>
        <ol>
          {page.history.map((entry) => (
            <li key={entry.id}>
              <When date={entry.at} />: {ACTION_LABELS[entry.action] ?? entry.action}
              {entry.actorName ? ` by ${entry.actorName}` : ""}
              {entry.details.map((detail) => (
                <div key={detail.label}>
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
