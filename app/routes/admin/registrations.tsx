import type { LinksFunction, MetaFunction } from "react-router";
import { z } from "zod";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ErrorSummary, Field, SelectField, SubmitButton, TextareaField } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { countryName } from "#app/.server/accounts/countries.ts";
import { siteUrl } from "#app/.server/accounts/site-url.ts";
import { InvalidError } from "#app/.server/errors.ts";
import { formSuccess, handleForm } from "#app/.server/http/forms.ts";
import { decide, DecisionSchema, getRegistrationsDashboard, invite, InvitationSchema, parseFilter, PAGE_SIZE, revokeInvitation } from "#app/.server/registration/review.ts";
import { fieldErrorsOf } from "#app/shared/form-reply.ts";
import { CATEGORIES, CATEGORY_LABELS, STATUS_LABELS, type Status } from "#app/shared/registration.ts";
import { DATE_TIME } from "#app/shared/dates.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import registrationStyles from "#app/styles/registration.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: registrationStyles }];

export const meta: MetaFunction = () => [{ title: "Registrations · Admin · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:registrations");
  const filter = parseFilter(new URL(request.url).searchParams);
  const dashboard = await getRegistrationsDashboard(viewer, filter);
  const { capacity, seatsTaken } = dashboard.context.settings;
  return {
    filter,
    conference: dashboard.context.conference.name,
    seats: { capacity, seatsTaken },
    byStatus: dashboard.byStatus,
    byCategory: dashboard.byCategory,
    byAgency: dashboard.byAgency,
    byCountry: dashboard.byCountry.map((row) => ({ key: countryName(row.key), n: row.n })),
    matching: dashboard.matching,
    pageSize: PAGE_SIZE,
    list: dashboard.list.map((row) => ({ ...row, country: countryName(row.country) })),
    invitations: dashboard.invitations,
  };
}

/** The page has two kinds of form (decisions on registrations, invitations): the intent says which schema applies. */
const AnyIntent = z.looseObject({ intent: z.string({ error: "Choose what to do." }) });

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:registrations");
  const actor = { ...viewer, ip: context.ip };
  const links = { link: (path: string) => siteUrl(request, path) };
  return handleForm(request, AnyIntent, async (values) => {
    if (values.intent === "invite" || values.intent === "revoke-invitation") {
      const parsed = InvitationSchema.safeParse(values);
      if (!parsed.success) throw new InvalidError(fieldErrorsOf(parsed.error));
      if (parsed.data.intent === "invite") await invite(actor, parsed.data.email, links);
      else await revokeInvitation(actor, parsed.data.invitationId, links);
      return formSuccess(parsed.data.intent === "invite" ? `Invitation sent to ${parsed.data.email}; a seat is held for it.` : "Invitation revoked; its seat is free again.");
    }
    const parsed = DecisionSchema.safeParse(values);
    if (!parsed.success) throw new InvalidError(fieldErrorsOf(parsed.error));
    const outcome = await decide(actor, parsed.data, links);
    const parts = [
      outcome.approved ? `${outcome.approved} approved` : null,
      outcome.waitlisted ? `${outcome.waitlisted} waitlisted${parsed.data.intent === "approve" ? " (no seat left)" : ""}` : null,
      outcome.declined ? `${outcome.declined} declined` : null,
      outcome.unchanged ? `${outcome.unchanged} unchanged (already so)` : null,
    ].filter(Boolean);
    return formSuccess(`${parts.join(", ")}.`);
  });
}

function Counts({ title, rows, label }: { title: string; rows: { key: string; n: number }[]; label?: (key: string) => string }) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p>None yet.</p>
      ) : (
        <dl>
          {rows.map((row) => (
            <div key={row.key}>
              <dt dir="auto">{label ? label(row.key) : row.key}</dt>
              <dd>{row.n}</dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

export default function RegistrationsDashboard() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  const failed = reply?.status === "error" ? reply : null;
  const query = new URLSearchParams(Object.entries(page.filter).filter(([, value]) => value) as [string, string][]).toString();
  return (
    <section>
      <p>
        <Link to="/admin">← Admin</Link>
      </p>
      <h1>Registrations for {page.conference}</h1>
      <p>
        {page.seats.capacity === null ? `${page.seats.seatsTaken} seats given (no limit).` : `${page.seats.seatsTaken} of ${page.seats.capacity} seats given or held by invitations.`}{" "}
        <Link to="/admin/registrations/settings">Settings</Link> · <Link to="/admin/check-in">Check-in</Link>
      </p>
      {reply?.status === "success" && reply.notice ? (
        <p className="notice success" role="status">
          {reply.notice}
        </p>
      ) : null}
      {failed ? <ErrorSummary errors={failed.errors} formId="registrations" reply={failed} /> : null}

      <div className="counts">
        <Counts title="By state" rows={page.byStatus} label={(key) => STATUS_LABELS[key as Status] ?? key} />
        <Counts title="By category" rows={page.byCategory} label={(key) => CATEGORY_LABELS[key as keyof typeof CATEGORY_LABELS] ?? key} />
        <Counts title="By agency (top 20)" rows={page.byAgency} />
        <Counts title="By country (top 20)" rows={page.byCountry} />
      </div>

      <h2>Find registrations</h2>
      <Form method="get" className="form inline">
        <Field name="q" label="Name, address or agency" type="search" defaultValue={page.filter.q} />
        <SelectField name="status" label="State" defaultValue={page.filter.status} options={[{ value: "", label: "Any" }, ...Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label }))]} />
        <SelectField name="category" label="Category" defaultValue={page.filter.category} options={[{ value: "", label: "Any" }, ...CATEGORIES.map((value) => ({ value, label: CATEGORY_LABELS[value] }))]} />
        <button type="submit">Filter</button>
      </Form>
      <p>
        {page.matching} matching{page.matching > page.pageSize ? `; the first ${page.pageSize} are shown` : ""}. <a href={`/admin/registrations.csv${query ? `?${query}` : ""}`}>Download them as CSV</a>
      </p>

      <Form method="post" className="form">
        <div className="table-wrap" role="region" aria-label="Registrations" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Choose</th>
                <th scope="col">Name</th>
                <th scope="col">State</th>
                <th scope="col">Category</th>
                <th scope="col">Agency</th>
                <th scope="col">Country</th>
                <th scope="col">Stay</th>
                <th scope="col">Needs</th>
                <th scope="col">Registered</th>
              </tr>
            </thead>
            <tbody>
              {page.list.map((row) => (
                <tr key={row.id}>
                  <td>
                    <input type="checkbox" name="ids" value={row.id} id={`pick-${row.id}`} aria-label={`Choose ${row.name}`} />
                  </td>
                  <td dir="auto">
                    <label htmlFor={`pick-${row.id}`}>{row.name}</label>
                    <br />
                    <small>{row.email}</small>
                  </td>
                  <td>
                    <span className="badge">{STATUS_LABELS[row.status]}</span>
                    {row.decisionReason ? <small dir="auto"> {row.decisionReason}</small> : null}
                  </td>
                  <td>{CATEGORY_LABELS[row.category]}</td>
                  <td dir="auto">
                    {row.agency}
                    <br />
                    <small dir="auto">{row.jobTitle}</small>
                  </td>
                  <td>{row.country}</td>
                  <td>
                    {row.arrivalOn} to {row.departureOn}
                  </td>
                  <td dir="auto">{[row.dietaryNeeds, row.accessibilityNeeds].filter(Boolean).join("; ")}</td>
                  <td>{DATE_TIME.format(new Date(row.createdAt))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <fieldset>
          <legend>With the ones ticked</legend>
          <p className="hint">Approving gives a seat while seats last (the rest go on the waitlist) and mails each person their confirmation.</p>
          <div className="actions">
            <SubmitButton name="intent" value="approve">
              Approve
            </SubmitButton>
            <SubmitButton name="intent" value="waitlist" className="secondary">
              Put on the waitlist
            </SubmitButton>
          </div>
          <TextareaField name="reason" label="Reason for declining (the attendee reads it)" errors={failed?.errors.reason} rows={2} maxLength={1000} />
          <SubmitButton name="intent" value="decline" className="danger">
            Decline
          </SubmitButton>
        </fieldset>
      </Form>

      <section aria-labelledby="invitations-title">
        <h2 id="invitations-title">Invitations</h2>
        <p>An invitation holds a seat and skips moderation: the person registers with the link we mail them.</p>
        <Form method="post" className="form inline">
          <Field name="email" type="email" label="Address to invite" errors={failed?.errors.email} required autoComplete="off" />
          <SubmitButton name="intent" value="invite">
            Invite
          </SubmitButton>
        </Form>
        {page.invitations.length > 0 ? (
          <ul>
            {page.invitations.map((invitation) => (
              <li key={invitation.id}>
                {invitation.email}: {invitation.status} since {DATE_TIME.format(new Date(invitation.createdAt))}
                {invitation.status === "pending" ? (
                  <Form method="post" className="inline">
                    <input type="hidden" name="invitationId" value={invitation.id} />
                    <SubmitButton name="intent" value="revoke-invitation" className="secondary">
                      Revoke
                    </SubmitButton>
                  </Form>
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
      </section>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
