import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { DataTable } from "#app/components/data-table.tsx";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, SelectField, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { createGroup, listManageableGroups } from "#app/.server/access/groups.ts";
import { requireGroupsViewer } from "#app/.server/access/guards.ts";
import { CreateGroupSchema } from "#app/.server/access/schemas.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { handleForm } from "#app/.server/http/forms.ts";
import { redirectWithNotice } from "#app/.server/http/notice.ts";
import { SHORT_DAY } from "#app/shared/dates.ts";
import { GROUP_KIND_LABELS } from "#app/shared/groups.ts";

export const meta = errorAwareMeta(() => [{ title: "Groups · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireGroupsViewer(request, context);
  return { ...(await listManageableGroups(viewer)), constraints: formConstraints(CreateGroupSchema) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:groups");
  return handleForm(request, CreateGroupSchema, async (input) => {
    const group = await createGroup(viewer, input, context.ip);
    throw redirectWithNotice(`/admin/groups/${group.id}`, "group-created");
  });
}

export default function Groups() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
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
        <DataTable caption={page.mayCreate ? `All groups (${page.groups.length})` : `Groups you manage (${page.groups.length})`}>
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
        </DataTable>
      )}

      {page.mayCreate ? (
        <>
          <h2>Create a group</h2>
          <ValidatedForm reply={reply} intent="create" constraints={page.constraints}>
            <SelectField name="kind" label="Kind" options={Object.entries(GROUP_KIND_LABELS).map(([value, label]) => ({ value, label }))} />
            <Field name="name" label="Name" hint="As people know it, e.g. “Drug Enforcement Administration”." dir="auto" />
            <Field
              name="slug"
              label="Short name (optional)"
              hint="Lowercase letters, digits and hyphens, e.g. dea. Left empty, it is made from the name."
              autoCapitalize="none"
              spellCheck={false}
            />
            <SubmitButton>Create the group</SubmitButton>
          </ValidatedForm>
        </>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
