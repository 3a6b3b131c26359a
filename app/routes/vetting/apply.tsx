import { data, redirect, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SubmitButton, TextareaField } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { takeRateLimit } from "#app/.server/accounts/throttle.ts";
import { parseForm } from "#app/.server/http/forms.ts";
import {
  getVettingOverview,
  replyToInformationRequest,
  resendOfficialEmailLink,
  submitApplication,
  withdrawApplication,
} from "#app/.server/vetting/applications.ts";
import { mailDate } from "#app/.server/vetting/context.ts";
import { LIMITS, VettingPageSchema } from "#app/.server/vetting/schemas.ts";
import { LONG_DAY } from "#app/shared/dates.ts";

export const meta: MetaFunction = () => [{ title: "Membership vetting · Liaison" }];

const TYPED_FIELDS = ["agency", "officialEmail", "sponsorName", "sponsorEmail", "reason", "reply"] as const;

const NOTICES = {
  applied: "Your application is in. We sent you a receipt by mail.",
  replied: "Thank you: your answer is with the organizers.",
  withdrawn: "Your application is withdrawn. You can apply again whenever you like.",
} as const;

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "apply:vetting");
  const overview = await getVettingOverview(viewer.id);
  const done = new URL(request.url).searchParams.get("done");
  const application = overview.application;
  return {
    member: overview.member,
    expiredOn: overview.expiredOn,
    canApply: overview.canApply,
    defaults: overview.defaults,
    limits: LIMITS,
    notice: done && done in NOTICES ? NOTICES[done as keyof typeof NOTICES] : null,
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

/** formError, with room for the typed values, so every answer of the action has one shape. */
function refuse(message: string, status: number) {
  return data({ ok: false as const, errors: { form: [message] } as Errors, values: undefined as Values | undefined, message: undefined }, { status });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "apply:vetting");
  // Without JavaScript the page is rendered afresh: hand the typed text back so a correction does not retype it all.
  const typed = await request.clone().formData();
  const form = await parseForm(request, VettingPageSchema);
  if (!form.ok) {
    const values: Values = {};
    for (const name of TYPED_FIELDS) values[name] = String(typed.get(name) ?? "");
    return data({ ok: false as const, errors: form.errors as Errors, values: values as Values | undefined, message: undefined }, { status: 400 });
  }
  const origin = { ip: context.ip, link: (path: string) => siteUrl(request, path) };
  switch (form.data.intent) {
    case "apply": {
      // Each application can mail an official address: a cap keeps the form from being used to send mail.
      if (!(await takeRateLimit(`vetting-apply:${viewer.id}`, 5, 86_400))) {
        return refuse("You have applied several times today. Please try again tomorrow.", 429);
      }
      const result = await submitApplication(viewer.id, form.data, origin);
      if (result.outcome === "already_member") {
        return refuse(`You are already a member, until ${mailDate(result.memberUntil)}. You can apply for renewal in the last weeks before then.`, 409);
      }
      throw redirect("/vetting?done=applied");
    }
    case "reply": {
      const result = await replyToInformationRequest(viewer.id, form.data, context.ip);
      if (result === "not_waiting") return refuse("This application is not waiting for an answer any more: reload the page to see where it stands.", 409);
      throw redirect("/vetting?done=replied");
    }
    case "withdraw": {
      const result = await withdrawApplication(viewer.id, form.data.applicationId, context.ip);
      if (result === "not_open") return refuse("This application has already been decided or withdrawn.", 409);
      throw redirect("/vetting?done=withdrawn");
    }
    case "resend": {
      if (!(await takeRateLimit(`vetting-resend:${viewer.id}`, 3, 3600))) {
        return refuse("You have asked for several links already. Wait an hour, then try again.", 429);
      }
      const result = await resendOfficialEmailLink(viewer.id, origin);
      if (result === "not_allowlisted") {
        return refuse("Your official address's domain is not on our list of government domains, so we cannot send it a link. The organizers will check it another way.", 409);
      }
      if (result === "nothing_to_verify") return refuse("There is no address waiting to be confirmed.", 409);
      return { ok: true as const, errors: undefined, values: undefined, message: "A new link is on its way to your official address. It works for 48 hours." };
    }
  }
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
type Errors = Partial<Record<string, string[]>> | undefined;
type Values = Partial<Record<(typeof TYPED_FIELDS)[number], string>>;

export default function VettingPage() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors;
  const values = result?.values;
  const application = page.application;
  const open = application?.status === "submitted" || application?.status === "info_requested";
  return (
    <section className="prose">
      <h1>Membership vetting</h1>
      {page.notice ? <p className="notice success">{page.notice}</p> : null}
      {result?.ok ? <p className="notice success">{result.message}</p> : null}
      <FormErrors errors={errors} />

      <Membership page={page} />

      {application ? (
        <section aria-labelledby="application-title">
          <h2 id="application-title">Your application</h2>
          <p>
            <span className="badge">{STATUS_LABELS[application.status]}</span> Submitted on <Day date={application.submittedAt} /> for{" "}
            {application.agency}.
          </p>
          {open ? <OpenApplication application={application} limits={page.limits} errors={errors} values={values} /> : null}
          {application.status === "approved" && application.decidedAt ? (
            <p>
              Approved on <Day date={application.decidedAt} />.
            </p>
          ) : null}
          {application.status === "rejected" ? (
            <>
              <p>The organizers could not approve this application. Their reason:</p>
              <blockquote>{application.decisionNote}</blockquote>
              {page.canApply ? <p>If your circumstances have changed, you may apply again below.</p> : null}
            </>
          ) : null}
          {application.status === "withdrawn" ? <p>You withdrew this application.</p> : null}
        </section>
      ) : null}

      {page.canApply ? (
        <ApplicationForm page={page} errors={errors} values={values} />
      ) : !application && !page.member ? (
        <p className="notice">Your account cannot apply at the moment. If you think this is wrong, contact the organizers.</p>
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

function OpenApplication({
  application,
  limits,
  errors,
  values,
}: {
  application: NonNullable<PageData["application"]>;
  limits: PageData["limits"];
  errors: Errors;
  values: Values | undefined;
}) {
  return (
    <>
      <h3>Your official address</h3>
      {application.officialEmailVerified ? (
        <p>
          <span className="badge">Confirmed</span> {application.officialEmail}
        </p>
      ) : application.officialDomainAllowlisted ? (
        <>
          <p>
            We sent a link to <strong>{application.officialEmail}</strong>. Open it there and press the button to confirm the address: it
            speeds up the review.
          </p>
          <Form method="post" className="form">
            <SubmitButton name="intent" value="resend" className="secondary">
              Send the link again
            </SubmitButton>
          </Form>
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
          <blockquote>{application.decisionNote}</blockquote>
          <Form method="post" className="form">
            <input type="hidden" name="applicationId" value={application.id} />
            <TextareaField name="reply" label="Your answer" rows={6} maxLength={limits.reply} required defaultValue={values?.reply} errors={errors} />
            <SubmitButton name="intent" value="reply">
              Send my answer
            </SubmitButton>
          </Form>
        </section>
      ) : application.applicantReply ? (
        <>
          <h3>Your answer to the organizers' question</h3>
          <blockquote>{application.applicantReply}</blockquote>
        </>
      ) : (
        <p>The organizers review applications in the order they arrive. You will hear from us by mail.</p>
      )}

      <h3>Made a mistake?</h3>
      <p>You can withdraw this application, for instance to correct your official address, and apply again.</p>
      <Form method="post" className="form">
        <input type="hidden" name="applicationId" value={application.id} />
        <SubmitButton name="intent" value="withdraw" className="secondary">
          Withdraw my application
        </SubmitButton>
      </Form>
    </>
  );
}

function ApplicationForm({ page, errors, values }: { page: PageData; errors: Errors; values: Values | undefined }) {
  const renewal = page.member !== null;
  return (
    <section aria-labelledby="apply-title">
      <h2 id="apply-title">{renewal ? "Apply for renewal" : "Apply to become a member"}</h2>
      <Form method="post" className="form" noValidate>
        <Field name="agency" label="Agency" autoComplete="organization" defaultValue={values?.agency ?? page.defaults.agency} maxLength={160} required errors={errors} />
        <Field
          name="officialEmail"
          label="Official email address"
          type="email"
          autoComplete="email"
          maxLength={254}
          required
          defaultValue={values?.officialEmail}
          hint="The address your agency gave you. If its domain is on our list of government domains, we send it a link to confirm that it is yours."
          errors={errors}
        />
        <Field name="sponsorName" label="Supervisor or sponsor: name" autoComplete="off" maxLength={120} required defaultValue={values?.sponsorName} errors={errors} />
        <Field
          name="sponsorEmail"
          label="Supervisor or sponsor: email address"
          type="email"
          autoComplete="off"
          maxLength={254}
          required
          defaultValue={values?.sponsorEmail}
          hint="Someone at your agency who can confirm your role. The organizers may contact them."
          errors={errors}
        />
        <TextareaField
          name="reason"
          label="Why do you want to join?"
          rows={6}
          maxLength={page.limits.reason}
          required
          defaultValue={values?.reason}
          hint="Your role, and the cases or cooperation the discussion board would help with."
          errors={errors}
        />
        <SubmitButton name="intent" value="apply">
          {renewal ? "Apply for renewal" : "Send my application"}
        </SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
