import type { LinksFunction, MetaFunction } from "react-router";
import { Link, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { getBadge } from "#app/.server/registration/attendee.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import registrationStyles from "#app/styles/registration.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: registrationStyles }];

export const meta: MetaFunction = () => [{ title: "Your badge · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "register:conference");
  return getBadge(viewer);
}

export default function Badge() {
  const badge = useLoaderData<typeof loader>();
  return (
    <section>
      <div className="no-print">
        <p>
          <Link to="/register">← Your registration</Link>
        </p>
        <h1>Your badge</h1>
        <p>Print this page (it fits on one sheet) and bring it to the door, or show it on your phone. The code is yours alone: do not share it.</p>
      </div>
      <article className="badge-card" aria-label={`Badge of ${badge.name}`}>
        <p className="badge-conference">{badge.conference.name}</p>
        <p className="badge-name" dir="auto">
          {badge.name}
        </p>
        <p className="badge-agency" dir="auto">
          {badge.agency}
        </p>
        <p className="badge-category">
          {badge.category} · {badge.country}
        </p>
        {/* The SVG is made by the qrcode library from our own signed token. */}
        <div className="badge-qr" role="img" aria-label="QR code of your badge" dangerouslySetInnerHTML={{ __html: badge.qrSvg }} />
        <p className="badge-code">{badge.token}</p>
      </article>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
