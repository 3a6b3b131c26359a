import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { DataTable } from "#app/components/data-table.tsx";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ConfirmAction, Field, Notice, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { formSuccess, handleForm } from "#app/.server/http/forms.ts";
import { addToAllowlist, listAllowlist, removeFromAllowlist } from "#app/.server/vetting/allowlist.ts";
import { AllowlistPageSchema } from "#app/.server/vetting/schemas.ts";
import { SHORT_DAY } from "#app/shared/dates.ts";

export const meta = errorAwareMeta(() => [{ title: "Domain allowlist · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:allowlist");
  return { entries: await listAllowlist(viewer), constraints: formConstraints(AllowlistPageSchema, "add") };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:allowlist");
  return handleForm(request, AllowlistPageSchema, async (input) => {
    if (input.intent === "add") {
      const outcome = await addToAllowlist(viewer, input, context.ip);
      return formSuccess(outcome === "added" ? `${input.domain} is on the allowlist.` : `${input.domain} was already on the allowlist.`);
    }
    const outcome = await removeFromAllowlist(viewer, input.domain, context.ip);
    return formSuccess(outcome === "removed" ? `${input.domain} is off the allowlist. To undo, add it again.` : `${input.domain} was not on the allowlist.`);
  });
}

export default function Allowlist() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <section>
      <h1>Domain allowlist</h1>
      <div className="prose">
        <p>
          An applicant whose official address is on one of these domains gets a link to confirm it, and the{" "}
          <Link to="/admin/vetting">vetting queue</Link> marks the address as verified once the link is used. An entry covers the domain
          and all its subdomains, by whole labels: <code>gov</code> covers <code>cbp.dhs.gov</code> but not <code>evilgov.com</code>.
        </p>
        <p>Add only domains where addresses are given to government staff alone. A change applies to applications filed afterwards.</p>
      </div>
      {reply?.status === "success" && reply.intent === "remove" && reply.notice ? <Notice>{reply.notice}</Notice> : null}

      <h2>Add a domain</h2>
      <ValidatedForm reply={reply} intent="add" constraints={page.constraints} resetOnSuccess>
        <Field
          name="domain"
          label="Domain"
          hint="Just the domain, such as gov or police.uk: no https://, no @, no leading dot."
          autoCapitalize="none"
          spellCheck={false}
          maxLength={253}
        />
        <Field name="note" label="Note (optional)" hint="Whose addresses these are, e.g. “United Kingdom police forces”." dir="auto" />
        <SubmitButton>Add to the allowlist</SubmitButton>
      </ValidatedForm>

      <h2>On the list ({page.entries.length})</h2>
      {page.entries.length === 0 ? (
        <p>The allowlist is empty: no official address gets a confirmation link.</p>
      ) : (
        <DataTable caption="Domains on the allowlist, in alphabetical order">
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col">Note</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="muted">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((entry) => (
                <tr key={entry.domain}>
                  <td>
                    <code>{entry.domain}</code>
                  </td>
                  <td dir="auto">{entry.note}</td>
                  <td>
                    <time dateTime={entry.createdAt.toISOString()}>{SHORT_DAY.format(entry.createdAt)}</time>
                    {entry.addedBy ? ` by ${entry.addedBy}` : ""}
                  </td>
                  <td>
                    <ValidatedForm announce={false} reply={reply} intent="remove" row={entry.domain}>
                      <input type="hidden" name="domain" value={entry.domain} />
                      <ConfirmAction label={`Remove ${entry.domain}`} confirmLabel={`Yes, remove ${entry.domain}`} className="danger">
                        <p>Applications filed from now on with an address on this domain get no confirmation link.</p>
                      </ConfirmAction>
                    </ValidatedForm>
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
