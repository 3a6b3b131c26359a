import { redirect, type MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SelectField, SubmitButton } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { createGroup, listManageableGroups } from "#app/.server/access/groups.ts";
import { requireGroupsViewer } from "#app/.server/access/guards.ts";
import { CreateGroupSchema } from "#app/.server/access/schemas.ts";
import { InvalidError } from "#app/.server/errors.ts";
import { invalidForm, parseForm } from "#app/.server/http/forms.ts";
import { SHORT_DAY } from "#app/shared/dates.ts";
import { GROUP_KIND_LABELS, GROUP_LIMITS } from "#app/shared/groups.ts";

export const meta: MetaFunction = () => [{ title: "Groups · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireGroupsViewer(request, context);
  return listManageableGroups(viewer);
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:groups");
  const form = await parseForm(request, CreateGroupSchema);
  if (!form.ok) return invalidForm(form.errors);
  try {
    const group = await createGroup(viewer, form.data, context.ip);
    return redirect(`/admin/groups/${group.id}?created=1`);
  } catch (error) {
    if (error instanceof InvalidError) return invalidForm(error.fieldErrors);
    throw error;
  }
}

export default function Groups() {
  const page = useLoaderData<typeof loader>();
  const errors = useActionData<typeof action>()?.errors;
  return (
    <section>
      <h1>Groups</h1>
      <div className="prose">
        <p>
          A group is a set of accounts that a session, a file or a thread can be shown to: an agency, a community, or a list of people. Only
          organizers and the group&apos;s managers change who belongs to it; what someone writes as their agency on their profile does not put
          them in a group.
        </p>
      </div>

      {page.groups.length === 0 ? (
        <p>There are no groups yet.</p>
      ) : (
        <div className="table-wrap" role="region" aria-labelledby="groups-caption" tabIndex={0}>
          <table>
            <caption id="groups-caption" className="muted">
              {page.mayCreate ? `All groups (${page.groups.length})` : `Groups you manage (${page.groups.length})`}
            </caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Members</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {page.groups.map((group) => (
                <tr key={group.id}>
                  <td>
                    <Link to={`/admin/groups/${group.id}`} dir="auto">
                      {group.name}
                    </Link>{" "}
                    <code className="muted">{group.slug}</code>
                  </td>
                  <td>{GROUP_KIND_LABELS[group.kind]}</td>
                  <td>{group.members}</td>
                  <td>
                    <time dateTime={group.createdAt.toISOString()}>{SHORT_DAY.format(group.createdAt)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {page.mayCreate ? (
        <>
          <h2>Create a group</h2>
          <FormErrors errors={errors} />
          <Form method="post" className="form" noValidate>
            <SelectField
              name="kind"
              label="Kind"
              options={Object.entries(GROUP_KIND_LABELS).map(([value, label]) => ({ value, label }))}
              errors={errors}
            />
            <Field name="name" label="Name" hint="As people know it, e.g. “Drug Enforcement Administration”." maxLength={GROUP_LIMITS.name} required errors={errors} />
            <Field
              name="slug"
              label="Short name (optional)"
              hint="Lowercase letters, digits and hyphens, e.g. dea. Left empty, it is made from the name."
              autoCapitalize="none"
              spellCheck={false}
              maxLength={GROUP_LIMITS.slug}
              errors={errors}
            />
            <SubmitButton name="intent" value="create">
              Create the group
            </SubmitButton>
          </Form>
        </>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
