import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { Link, useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ADMIN_AREA_PERMISSIONS, getDashboard } from "#app/.server/admin/dashboard.ts";
import { requireAnyPermission } from "#app/.server/admin/guards.ts";

export const meta = errorAwareMeta(() => [{ title: "Admin · Liaison" }]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireAnyPermission(request, context, ADMIN_AREA_PERMISSIONS);
  return getDashboard(viewer);
}

export default function Dashboard() {
  const { counts, pages } = useLoaderData<typeof loader>();
  const figures = [
    { label: "Open vetting applications", value: counts.openApplications, path: "/admin/vetting" },
    { label: "Vetted members", value: counts.members, path: "/admin/members" },
    { label: "Mail waiting to be sent", value: counts.pendingMail, path: "/admin/outbox" },
  ].filter((figure) => figure.value !== null);
  const reachable = new Set(pages.map((page) => page.path));
  return (
    <section>
      <h1>Admin</h1>
      {figures.length > 0 ? (
        <dl className="cards">
          {figures.map((figure) => (
            <div key={figure.label} className="card">
              <dt>{reachable.has(figure.path) ? <Link to={figure.path}>{figure.label}</Link> : figure.label}</dt>
              <dd>
                <strong>{figure.value}</strong>
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      <h2>Pages</h2>
      <nav className="cards" aria-label="Admin pages">
        {pages.map((page) => (
          <article key={page.path} className="card">
            <h3>
              <Link to={page.path}>{page.title}</Link>
            </h3>
            <p>{page.summary}</p>
          </article>
        ))}
      </nav>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
