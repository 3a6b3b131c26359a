import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { requireMembersArea } from "#app/.server/vetting/members-area.ts";
import { Link, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { LONG_DAY } from "#app/shared/dates.ts";

export const meta = errorAwareMeta(() => [{ title: "Discussion board · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = await requireMembersArea(request, context, "read:forum");
  return { name: viewer.name, memberUntil: viewer.memberUntil?.toISOString() ?? null };
}

export default function Forum() {
  const { name, memberUntil } = useLoaderData<typeof loader>();
  return (
    <section className="prose">
      <h1>Discussion board</h1>
      <p>
        Welcome, {name}. This area is open to vetted members only.
        {memberUntil ? ` Your membership runs until ${LONG_DAY.format(new Date(memberUntil))}.` : null}
      </p>
      <p>
        The board opens here soon. Meanwhile, see <Link to="/members">the member directory</Link>.
      </p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
