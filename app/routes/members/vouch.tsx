import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { useActionData, useLoaderData } from "react-router";
import { DataTable } from "#app/components/data-table.tsx";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Notice, SubmitButton, TextareaField, ValidatedForm } from "#app/components/forms.tsx";
import { countryName } from "#app/.server/accounts/countries.ts";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { formSuccess, handleForm, refuse } from "#app/.server/http/forms.ts";
import { VouchSchema } from "#app/.server/vetting/schemas.ts";
import { listApplicationsToVouch, vouchFor } from "#app/.server/vetting/vouches.ts";
import { SHORT_DAY } from "#app/shared/dates.ts";

export const meta = errorAwareMeta(() => [{ title: "Vouch for applicants · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "vouch:applicant");
  const rows = await listApplicationsToVouch(viewer);
  return {
    constraints: formConstraints(VouchSchema),
    applications: rows.map((row) => ({ ...row, country: countryName(row.country) })),
  };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "vouch:applicant");
  // Every row has its own copy of the form: the reply names the row, and its messages go there.
  return handleForm(request, VouchSchema, async (input) => {
    const outcome = await vouchFor(viewer, input, context.ip);
    switch (outcome) {
      case "vouched":
        return formSuccess("Thank you: your vouch is recorded for the organizers.");
      case "already_vouched":
        return formSuccess("You had already vouched for this applicant.");
      case "own_application":
        return refuse("You cannot vouch for yourself.", 403);
      case "not_open":
        return refuse("This application has been decided or withdrawn in the meantime.", 409);
    }
  });
}

export default function Vouch() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <section>
      <h1>Vouch for applicants</h1>
      <div className="prose">
        <p>
          These people have applied to become members. If you know one of them professionally, say how: the organizers weigh your vouch
          when they decide. Only vouch for people you know; the organizers see your name with your statement.
        </p>
      </div>
      {reply?.status === "success" && reply.notice ? <Notice>{reply.notice}</Notice> : null}
      {page.applications.length === 0 ? (
        <p>No applications are waiting for vouches right now.</p>
      ) : (
        <DataTable caption="Open applications, oldest first">
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
                  <td dir="auto">{application.name}</td>
                  <td dir="auto">{application.agency}</td>
                  <td>{application.country}</td>
                  <td>
                    <time dateTime={application.submittedAt.toISOString()}>{SHORT_DAY.format(application.submittedAt)}</time>
                  </td>
                  <td>
                    {application.vouchedAt ? (
                      <span className="badge">Vouched on {SHORT_DAY.format(application.vouchedAt)}</span>
                    ) : (
                      <details open={reply?.status === "error" && reply.form === application.id}>
                        <summary>Vouch for {application.name}</summary>
                        <ValidatedForm reply={reply} row={application.id} constraints={page.constraints}>
                          <input type="hidden" name="applicationId" value={application.id} />
                          <TextareaField
                            name="statement"
                            label="How do you know them?"
                            rows={3}
                            hint="A sentence is enough, e.g. “We worked together on a joint investigation in 2023.”"
                          />
                          <SubmitButton>Vouch</SubmitButton>
                        </ValidatedForm>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
        </DataTable>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
