import type { MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SubmitButton } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { invalidForm, parseForm } from "#app/.server/http/forms.ts";
import { addToAllowlist, listAllowlist, removeFromAllowlist } from "#app/.server/vetting/allowlist.ts";
import { AllowlistPageSchema } from "#app/.server/vetting/schemas.ts";
import { SHORT_DAY } from "#app/shared/dates.ts";

export const meta: MetaFunction = () => [{ title: "Domain allowlist · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:allowlist");
  return { entries: await listAllowlist(viewer) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:allowlist");
  const form = await parseForm(request, AllowlistPageSchema);
  if (!form.ok) return invalidForm(form.errors);
  if (form.data.intent === "add") {
    const outcome = await addToAllowlist(viewer, form.data, context.ip);
    const message = outcome === "added" ? `${form.data.domain} is on the allowlist.` : `${form.data.domain} was already on the allowlist.`;
    return { ok: true as const, errors: undefined, message };
  }
  const outcome = await removeFromAllowlist(viewer, form.data.domain, context.ip);
  const message = outcome === "removed" ? `${form.data.domain} is off the allowlist.` : `${form.data.domain} was not on the allowlist.`;
  return { ok: true as const, errors: undefined, message };
}

export default function Allowlist() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors;
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
      {result?.ok ? (
        <p className="notice success" role="status">
          {result.message}
        </p>
      ) : null}
      <FormErrors errors={errors} />

      <h2>Add a domain</h2>
      {/* A new key after each addition empties the form. */}
      <Form key={page.entries.length} method="post" className="form" noValidate>
        <Field
          name="domain"
          label="Domain"
          hint="Just the domain, such as gov or police.uk: no https://, no @, no leading dot."
          autoCapitalize="none"
          spellCheck={false}
          maxLength={253}
          required
          errors={errors}
        />
        <Field name="note" label="Note (optional)" hint="Whose addresses these are, e.g. “United Kingdom police forces”." maxLength={200} errors={errors} />
        <SubmitButton name="intent" value="add">
          Add to the allowlist
        </SubmitButton>
      </Form>

      <h2>On the list ({page.entries.length})</h2>
      {page.entries.length === 0 ? (
        <p>The allowlist is empty: no official address gets a confirmation link.</p>
      ) : (
        <div className="table-wrap">
          <table>
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
                  <td>{entry.note}</td>
                  <td>
                    <time dateTime={entry.createdAt.toISOString()}>{SHORT_DAY.format(entry.createdAt)}</time>
                    {entry.addedBy ? ` by ${entry.addedBy}` : ""}
                  </td>
                  <td>
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="domain" value={entry.domain} />
                      <button type="submit" name="intent" value="remove" className="danger" aria-label={`Remove ${entry.domain}`}>
                        Remove
                      </button>
                    </Form>
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
