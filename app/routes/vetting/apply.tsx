import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ConfirmAction, Field, SubmitButton, TextareaField, ValidatedForm } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { takeRateLimit } from "#app/.server/accounts/throttle.ts";
import { config } from "#app/.server/config.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { formSuccess, handleForm, refuse } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";
import {
  getVettingOverview,
  replyToInformationRequest,
  resendOfficialEmailLink,
  submitApplication,
  withdrawApplication,
} from "#app/.server/vetting/applications.ts";
import { mailDate } from "#app/.server/vetting/context.ts";
import { VettingPageSchema } from "#app/.server/vetting/schemas.ts";
import type { FormReply } from "#app/shared/form-reply.ts";
import { LONG_DAY } from "#app/shared/dates.ts";

export const meta = errorAwareMeta(() => [{ title: "Membership vetting · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "apply:vetting");
  const overview = await getVettingOverview(viewer.id);
  const application = overview.application;
  return {
    member: overview.member,
    expiredOn: overview.expiredOn,
    suspended: overview.suspended,
    canApply: overview.canApply,
    defaults: overview.defaults,
    organizersEmail: config().organizersEmail,
    constraints: { apply: formConstraints(VettingPageSchema, "apply"), reply: formConstraints(VettingPageSchema, "reply") },
    application: application
      ? {
          id: application.id,
          status: application.status,
          agency: application.agency,
          officialEmail: application.officialEmail,
          officialEmailVerified: application.officialEmailVerifiedAt !== null,
          officialDomainAllowlisted: application.officialDomainAllowlisted,
          sponsorName: application.sponsorName,
          submittedAt: application.createdAt,
          decidedAt: application.decidedAt,
          decisionNote: application.decisionNote,
          applicantReply: application.applicantReply,
        }
      : null,
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "apply:vetting");
  const origin = { ip: context.ip, link: (path: string) => siteUrl(request, path) };
  return handleForm(request, VettingPageSchema, async (input) => {
    switch (input.intent) {
      case "apply": {
        // Each application can mail an official address: a cap keeps the form from being used to send mail.
        if (!(await takeRateLimit(`vetting-apply:${viewer.id}`, 5, 86_400))) {
          refuse("You have applied several times today. Please try again tomorrow.", 429);
        }
        const result = await submitApplication(viewer.id, input, origin);
        if (result.outcome === "already_member") {
          refuse(`You are already a member, until ${mailDate(result.memberUntil)}. You can apply for renewal in the last weeks before then.`, 409);
        }
        throw redirectWithNotice("/vetting", "vetting-applied");
      }
      case "reply": {
        const result = await replyToInformationRequest(viewer.id, input, context.ip);
        if (result === "not_waiting") refuse("This application is not waiting for an answer any more: reload the page to see where it stands.", 409);
        throw redirectWithNotice("/vetting", "vetting-replied");
      }
      case "withdraw": {
        const result = await withdrawApplication(viewer.id, input.applicationId, context.ip);
        if (result === "not_open") refuse("This application has already been decided or withdrawn.", 409);
        throw redirectWithNotice("/vetting", "vetting-withdrawn");
      }
      case "resend": {
        if (!(await takeRateLimit(`vetting-resend:${viewer.id}`, 3, 3600))) {
          refuse("You have asked for several links already. Wait an hour, then try again.", 429);
        }
        const result = await resendOfficialEmailLink(viewer.id, origin);
        if (result === "not_allowlisted") {
          refuse("Your official address's domain is not on our list of government domains, so we cannot send it a link. The organizers will check it another way.", 409);
        }
        if (result === "nothing_to_verify") refuse("There is no address waiting to be confirmed.", 409);
        return formSuccess("A new link is on its way to your official address. It works for 48 hours.");
      }
    }
  });
}

function Day({ date }: { date: Date }) {
  return <time dateTime={date.toISOString()}>{LONG_DAY.format(date)}</time>;
}

const STATUS_LABELS = {
  submitted: "Under review",
  info_requested: "Waiting for your answer",
  approved: "Approved",
  rejected: "Not approved",
  withdrawn: "Withdrawn",
} as const;

type PageData = ReturnType<typeof useLoaderData<typeof loader>>;
type Reply = FormReply | undefined;

export default function VettingPage() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const application = page.application;
  const open = application?.status === "submitted" || application?.status === "info_requested";
  return (
    <section className="prose">
      <h1>Membership vetting</h1>

      <Membership page={page} />

      {application ? (
        <section aria-labelledby="application-title">
          <h2 id="application-title">Your application</h2>
          <p>
            <span className="badge">{STATUS_LABELS[application.status]}</span> Submitted on <Day date={application.submittedAt} /> for{" "}
            <span dir="auto">{application.agency}</span>.
          </p>
          {open ? <OpenApplication application={application} page={page} reply={reply} /> : null}
          {application.status === "approved" && application.decidedAt ? (
            <p>
              Approved on <Day date={application.decidedAt} />.
            </p>
          ) : null}
          {application.status === "rejected" ? (
            <>
              <p>The organizers could not approve this application. Their reason:</p>
              <blockquote dir="auto">{application.decisionNote}</blockquote>
              {page.canApply ? <p>If your circumstances have changed, you may apply again below.</p> : null}
            </>
          ) : null}
          {application.status === "withdrawn" ? <p>You withdrew this application.</p> : null}
        </section>
      ) : null}

      {page.canApply ? (
        <ApplicationForm page={page} reply={reply} />
      ) : page.suspended || (!application && !page.member) ? (
        <p className="notice">
          Your account cannot apply at the moment{page.suspended ? ": it is suspended" : ""}. If you think this is wrong, write to the
          organizers at <a href={`mailto:${page.organizersEmail}`}>{page.organizersEmail}</a>.
        </p>
      ) : null}
    </section>
  );
}

function Membership({ page }: { page: PageData }) {
  if (page.member) {
    const renewalPending = page.application?.status === "submitted" || page.application?.status === "info_requested";
    return (
      <>
        <p className="notice success">
          You are a vetted member until <Day date={page.member.until} />.
          {page.canApply ? " Your membership ends soon: apply for renewal below to stay a member." : null}
        </p>
        {!page.canApply && !renewalPending ? (
          <p>
            You can apply for renewal from <Day date={page.member.renewableFrom} />. Meanwhile the <Link to="/forum">discussion board</Link>{" "}
            and the <Link to="/members">member directory</Link> are open to you.
          </p>
        ) : null}
      </>
    );
  }
  if (page.expiredOn) {
    return (
      <p className="notice">
        Your membership ended on <Day date={page.expiredOn} />. Apply again below to regain access to the discussion board.
      </p>
    );
  }
  if (page.application) return null;
  return (
    <p>
      Vetted members of law-enforcement and partner agencies can read and post on the discussion board and see the member
      directory. The organizers check every application by hand: your official address, a supervisor or sponsor who can confirm your
      role and, often, vouches from existing members.
    </p>
  );
}

function OpenApplication({ application, page, reply }: { application: NonNullable<PageData["application"]>; page: PageData; reply: Reply }) {
  return (
    <>
      <h3>Your official address</h3>
      {application.officialEmailVerified ? (
        <p>
          <span className="badge">Confirmed</span> <span className="wrap">{application.officialEmail}</span>
        </p>
      ) : application.officialDomainAllowlisted ? (
        <>
          <p>
            We sent a link to <strong className="wrap">{application.officialEmail}</strong>. Open it there and press the button to confirm the address: it
            speeds up the review.
          </p>
          <ValidatedForm reply={reply} intent="resend">
            <SubmitButton className="secondary">Send the link again</SubmitButton>
          </ValidatedForm>
        </>
      ) : (
        <p>
          {application.officialEmail} is not on our list of government domains, so we could not send it a link. The organizers will
          check it another way, for instance with your supervisor or sponsor, {application.sponsorName}.
        </p>
      )}

      {application.status === "info_requested" ? (
        <section aria-labelledby="question-title">
          <h3 id="question-title">The organizers ask</h3>
          <blockquote dir="auto">{application.decisionNote}</blockquote>
          <ValidatedForm reply={reply} intent="reply" constraints={page.constraints.reply}>
            <input type="hidden" name="applicationId" value={application.id} />
            <TextareaField name="reply" label="Your answer" rows={6} />
            <SubmitButton>Send my answer</SubmitButton>
          </ValidatedForm>
        </section>
      ) : application.applicantReply ? (
        <>
          <h3>Your answer to the organizers' question</h3>
          <blockquote dir="auto">{application.applicantReply}</blockquote>
        </>
      ) : (
        <p>The organizers review applications in the order they arrive. You will hear from us by mail.</p>
      )}

      <h3>Made a mistake?</h3>
      <p>You can withdraw this application, for instance to correct your official address, and apply again.</p>
      <ValidatedForm reply={reply} intent="withdraw">
        <input type="hidden" name="applicationId" value={application.id} />
        <ConfirmAction label="Withdraw my application" confirmLabel="Yes, withdraw it" className="danger">
          <p>The organizers stop reviewing it, and vouches given for it stay with it. You can apply again at once.</p>
        </ConfirmAction>
      </ValidatedForm>
    </>
  );
}

function ApplicationForm({ page, reply }: { page: PageData; reply: Reply }) {
  const renewal = page.member !== null;
  const reasonMin = page.constraints.apply.reason?.minLength;
  return (
    <section aria-labelledby="apply-title">
      <h2 id="apply-title">{renewal ? "Apply for renewal" : "Apply to become a member"}</h2>
      <ValidatedForm reply={reply} intent="apply" constraints={page.constraints.apply} defaults={{ agency: page.defaults.agency }}>
        <Field name="agency" label="Agency" autoComplete="organization" dir="auto" />
        <Field
          name="officialEmail"
          label="Official email address"
          type="email"
          autoComplete="email"
          hint="The address your agency gave you. If its domain is on our list of government domains, we send it a link to confirm that it is yours."
        />
        <Field name="sponsorName" label="Supervisor or sponsor: name" autoComplete="off" dir="auto" />
        <Field
          name="sponsorEmail"
          label="Supervisor or sponsor: email address"
          type="email"
          autoComplete="off"
          hint="Someone at your agency who can confirm your role. The organizers may contact them."
        />
        <TextareaField
          name="reason"
          label="Why do you want to join?"
          rows={6}
          hint={`At least ${reasonMin ?? 20} characters: your role, and the cases or cooperation the discussion board would help with.`}
        />
        <SubmitButton>{renewal ? "Apply for renewal" : "Send my application"}</SubmitButton>
      </ValidatedForm>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
