import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useActionData, useLoaderData } from "react-router";
import { DataTable } from "#app/components/data-table.tsx";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ConfirmAction, Field, Notice, SelectField, SubmitButton, ValidatedForm } from "#app/components/forms.tsx";
import { addGroupMember, getGroup, removeGroupMember } from "#app/.server/access/groups.ts";
import { requireGroupsViewer } from "#app/.server/access/guards.ts";
import { GroupIdSchema, GroupPageSchema } from "#app/.server/access/schemas.ts";
import { NotFoundError } from "#app/.server/errors.ts";
import { formConstraints } from "#app/.server/http/form-constraints.ts";
import { formSuccess, handleForm } from "#app/.server/http/forms.ts";
import { SHORT_DAY } from "#app/shared/dates.ts";
import { GROUP_KIND_LABELS, GROUP_ROLE_LABELS } from "#app/shared/groups.ts";

export const meta = errorAwareMeta<typeof loader>(({ data }) => [{ title: data ? `${data.group.name} · Groups · Liaison` : "Group · Liaison" }]);

function groupId(params: LoaderFunctionArgs["params"]): string {
  const parsed = GroupIdSchema.safeParse(params.groupId);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = requireGroupsViewer(request, context);
  const { group, members } = await getGroup(viewer, groupId(params));
  return { group, members, viewerId: viewer.id, constraints: formConstraints(GroupPageSchema, "add") };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = requireGroupsViewer(request, context);
  const id = groupId(params);
  return handleForm(request, GroupPageSchema, async (input) => {
    if (input.intent === "add") {
      const { outcome, name, role } = await addGroupMember(viewer, id, input, context.ip);
      return formSuccess(
        {
          added: `${name} is now a ${GROUP_ROLE_LABELS[role].toLowerCase()} of the group.`,
          role_changed: `${name} is now a ${GROUP_ROLE_LABELS[role].toLowerCase()} of the group instead of a ${GROUP_ROLE_LABELS[role === "manager" ? "member" : "manager"].toLowerCase()}.`,
          unchanged: `${name} was already a ${GROUP_ROLE_LABELS[role].toLowerCase()} of the group.`,
        }[outcome],
      );
    }
    const { outcome, name } = await removeGroupMember(viewer, id, input.userId, context.ip);
    return formSuccess(outcome === "removed" ? `${name ?? "The account"} is no longer in the group. To undo, add them again.` : "That account was not in the group.");
  });
}

export default function Group() {
  const page = useLoaderData<typeof loader>();
  const reply = useActionData<typeof action>();
  return (
    <section>
      <p>
        <Link to="/admin/groups">All groups</Link>
      </p>
      <h1 dir="auto">{page.group.name}</h1>
      <p className="muted">
        {GROUP_KIND_LABELS[page.group.kind]} · short name <code>{page.group.slug}</code>
      </p>
      {reply?.status === "success" && reply.intent === "remove" && reply.notice ? <Notice>{reply.notice}</Notice> : null}

      <h2>Add someone</h2>
      <ValidatedForm reply={reply} intent="add" constraints={page.constraints} resetOnSuccess>
        <Field name="email" type="email" label="Email address" hint="The address of their Liaison account; the account must have verified it." autoComplete="off" />
        <SelectField
          name="role"
          label="Role in the group"
          hint="Managers can add and remove the group's members."
          options={Object.entries(GROUP_ROLE_LABELS).map(([value, label]) => ({ value, label }))}
        />
        <SubmitButton>Add to the group</SubmitButton>
      </ValidatedForm>

      <h2>{`Members (${page.members.length})`}</h2>
      {page.members.length === 0 ? (
        <p>Nobody belongs to this group yet.</p>
      ) : (
        <DataTable caption="Members of the group">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="muted">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.members.map((member) => (
                <tr key={member.userId}>
                  <td>
                    <span dir="auto">{member.name}</span>
                    {member.userId === page.viewerId ? " (you)" : ""}
                    <br />
                    <span className="muted wrap">{member.email}</span>
                    <br />
                    <span className="muted" dir="auto">
                      {member.agency}
                    </span>
                  </td>
                  <td>{GROUP_ROLE_LABELS[member.role]}</td>
                  <td>
                    <time dateTime={member.addedAt.toISOString()}>{SHORT_DAY.format(member.addedAt)}</time>
                    {member.addedBy ? <span dir="auto">{` by ${member.addedBy}`}</span> : null}
                  </td>
                  <td>
                    <ValidatedForm announce={false} reply={reply} intent="remove" row={member.userId}>
                      <input type="hidden" name="userId" value={member.userId} />
                      <ConfirmAction label={`Remove ${member.name}`} confirmLabel="Yes, remove from the group" className="danger">
                        <p>They lose what the group may see at once. To undo, add them again.</p>
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
