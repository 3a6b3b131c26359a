import type { MetaFunction } from "react-router";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { LONG_DAY } from "#app/shared/dates.ts";

export const meta: MetaFunction = () => [{ title: "Discussion board · Liaison" }];

export function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "read:forum");
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
