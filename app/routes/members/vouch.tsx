import { data, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormErrors, SubmitButton, TextareaField } from "#app/components/forms.tsx";
import { countryName } from "#app/.server/accounts/countries.ts";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { formError, parseForm } from "#app/.server/http/forms.ts";
import { LIMITS, VouchSchema } from "#app/.server/vetting/schemas.ts";
import { listApplicationsToVouch, vouchFor } from "#app/.server/vetting/vouches.ts";
import { SHORT_DAY } from "#app/shared/dates.ts";

export const meta: MetaFunction = () => [{ title: "Vouch for applicants · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "vouch:applicant");
  const rows = await listApplicationsToVouch(viewer);
  return {
    limit: LIMITS.statement,
    applications: rows.map((row) => ({ ...row, country: countryName(row.country) })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "vouch:applicant");
  // Every row has its own form: the failed one is the one whose messages are shown.
  const applicationId = String((await request.clone().formData()).get("applicationId") ?? "");
  const form = await parseForm(request, VouchSchema);
  if (!form.ok) return data({ ok: false as const, errors: form.errors, applicationId, message: undefined }, { status: 400 });
  const outcome = await vouchFor(viewer, form.data, context.ip);
  switch (outcome) {
    case "vouched":
      return { ok: true as const, errors: undefined, applicationId, message: "Thank you: your vouch is recorded for the organizers." };
    case "already_vouched":
      return { ok: true as const, errors: undefined, applicationId, message: "You had already vouched for this applicant." };
    case "own_application":
      return formError("You cannot vouch for yourself.", 403);
    case "not_open":
      return formError("This application has been decided or withdrawn in the meantime.", 409);
  }
}

export default function Vouch() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const rowOf = result && "applicationId" in result ? result.applicationId : null;
  return (
    <section>
      <h1>Vouch for applicants</h1>
      <div className="prose">
        <p>
          These people have applied to become members. If you know one of them professionally, say how: the organizers weigh your vouch
          when they decide. Only vouch for people you know; the organizers see your name with your statement.
        </p>
      </div>
      {result?.ok ? <p className="notice success">{result.message}</p> : null}
      <FormErrors errors={result?.errors} />
      {page.applications.length === 0 ? (
        <p>No applications are waiting for vouches right now.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="muted">Open applications, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Applicant</th>
                <th scope="col">Agency</th>
                <th scope="col">Country</th>
                <th scope="col">Applied</th>
                <th scope="col">Your vouch</th>
              </tr>
            </thead>
            <tbody>
              {page.applications.map((application) => (
                <tr key={application.id}>
                  <td>{application.name}</td>
                  <td>{application.agency}</td>
                  <td>{application.country}</td>
                  <td>
                    <time dateTime={application.submittedAt.toISOString()}>{SHORT_DAY.format(application.submittedAt)}</time>
                  </td>
                  <td>
                    {application.vouchedAt ? (
                      <span className="badge">Vouched on {SHORT_DAY.format(application.vouchedAt)}</span>
                    ) : (
                      <details open={rowOf === application.id && !result?.ok}>
                        <summary>Vouch for {application.name}</summary>
                        <Form method="post" className="form" noValidate>
                          <input type="hidden" name="applicationId" value={application.id} />
                          <TextareaField
                            name="statement"
                            label="How do you know them?"
                            rows={3}
                            maxLength={page.limit}
                            required
                            hint="A sentence is enough, e.g. “We worked together on a joint investigation in 2023.”"
                            errors={rowOf === application.id ? result?.errors : undefined}
                          />
                          <SubmitButton>Vouch</SubmitButton>
                        </Form>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
