import type { MetaFunction } from "react-router";
import { Link, useLoaderData } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { requirePermission } from "#app/.server/accounts/guards.ts";
import { getDirectory } from "#app/.server/registration/attendee.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";

export const meta: MetaFunction = () => [{ title: "Participants · Liaison" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "register:conference");
  return getDirectory(viewer);
}

export default function Directory() {
  const page = useLoaderData<typeof loader>();
  return (
    <section>
      <p>
        <Link to="/register">← Your registration</Link>
      </p>
      <h1>Participants of {page.conference}</h1>
      <p>Attendees with a seat who agreed to be listed. To appear here, tick the box on your registration.</p>
      {page.people.length === 0 ? (
        <p>Nobody is listed yet.</p>
      ) : (
        <div className="table-wrap" role="region" aria-label="Participants" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Agency</th>
                <th scope="col">Country</th>
              </tr>
            </thead>
            <tbody>
              {page.people.map((person, index) => (
                <tr key={index}>
                  <td dir="auto">{person.name}</td>
                  <td dir="auto">{person.agency}</td>
                  <td>{person.country}</td>
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
