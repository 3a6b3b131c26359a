import type { MetaFunction } from "react-router";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Form, Link, useActionData, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Field, FormErrors, SelectField, SubmitButton } from "#app/components/forms.tsx";
import { addGroupMember, getGroup, removeGroupMember } from "#app/.server/access/groups.ts";
import { requireGroupsViewer } from "#app/.server/access/guards.ts";
import { GroupIdSchema, GroupPageSchema } from "#app/.server/access/schemas.ts";
import { InvalidError, NotFoundError } from "#app/.server/errors.ts";
import { invalidForm, parseForm } from "#app/.server/http/forms.ts";
import { SHORT_DAY } from "#app/shared/dates.ts";
import { GROUP_KIND_LABELS, GROUP_LIMITS, GROUP_ROLE_LABELS } from "#app/shared/groups.ts";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.group.name} · Groups · Liaison` : "Group · Liaison" }];

function groupId(params: LoaderFunctionArgs["params"]): string {
  const parsed = GroupIdSchema.safeParse(params.groupId);
  if (!parsed.success) throw new NotFoundError();
  return parsed.data;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const viewer = requireGroupsViewer(request, context);
  const { group, members } = await getGroup(viewer, groupId(params));
  const created = new URL(request.url).searchParams.has("created");
  return { group, members, viewerId: viewer.id, notice: created ? `The group ${group.name} is created. Add its members below.` : null };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const viewer = requireGroupsViewer(request, context);
  const id = groupId(params);
  const form = await parseForm(request, GroupPageSchema);
  if (!form.ok) return invalidForm(form.errors);
  try {
    if (form.data.intent === "add") {
      const { outcome, name, role } = await addGroupMember(viewer, id, form.data, context.ip);
      const message = {
        added: `${name} is now a ${GROUP_ROLE_LABELS[role].toLowerCase()} of the group.`,
        role_changed: `${name} is now a ${GROUP_ROLE_LABELS[role].toLowerCase()} of the group instead of a ${GROUP_ROLE_LABELS[role === "manager" ? "member" : "manager"].toLowerCase()}.`,
        unchanged: `${name} was already a ${GROUP_ROLE_LABELS[role].toLowerCase()} of the group.`,
      }[outcome];
      return { ok: true as const, errors: undefined, message };
    }
    const { outcome, name } = await removeGroupMember(viewer, id, form.data.userId, context.ip);
    const message = outcome === "removed" ? `${name ?? "The account"} is no longer in the group. To undo, add them again.` : "That account was not in the group.";
    return { ok: true as const, errors: undefined, message };
  } catch (error) {
    if (error instanceof InvalidError) return invalidForm(error.fieldErrors);
    throw error;
  }
}

export default function Group() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors;
  const notice = result?.ok ? result.message : page.notice;
  return (
    <section>
      <p>
        <Link to="/admin/groups">All groups</Link>
      </p>
      <h1 dir="auto">{page.group.name}</h1>
      <p className="muted">
        {GROUP_KIND_LABELS[page.group.kind]} · short name <code>{page.group.slug}</code>
      </p>
      {notice ? (
        <p className="notice success" role="status">
          {notice}
        </p>
      ) : null}
      <FormErrors errors={errors} />

      <h2>Add someone</h2>
      {/* A new key after each change empties the form. */}
      <Form key={page.members.length} method="post" className="form" noValidate>
        <Field
          name="email"
          type="email"
          label="Email address"
          hint="The address of their Liaison account; the account must have verified it."
          autoComplete="off"
          maxLength={GROUP_LIMITS.email}
          required
          errors={errors}
        />
        <SelectField
          name="role"
          label="Role in the group"
          hint="Managers can add and remove the group's members."
          options={Object.entries(GROUP_ROLE_LABELS).map(([value, label]) => ({ value, label }))}
          errors={errors}
        />
        <SubmitButton name="intent" value="add">
          Add to the group
        </SubmitButton>
      </Form>

      <h2>{`Members (${page.members.length})`}</h2>
      {page.members.length === 0 ? (
        <p>Nobody belongs to this group yet.</p>
      ) : (
        <div className="table-wrap" role="region" aria-label="Members of the group" tabIndex={0}>
          <table>
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
                    <span className="muted">{member.email}</span>
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
                    <Form method="post" className="inline-form">
                      <input type="hidden" name="userId" value={member.userId} />
                      <button type="submit" name="intent" value="remove" className="danger" aria-label={`Remove ${member.name} from the group`}>
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
