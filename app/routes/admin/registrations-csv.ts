import { requirePermission } from "#app/.server/accounts/guards.ts";
import { exportRegistrationsCsv, parseFilter } from "#app/.server/registration/review.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";

/** The registrations matching the dashboard's filter, as CSV with formula cells escaped. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "manage:registrations");
  const csv = await exportRegistrationsCsv(viewer, parseFilter(new URL(request.url).searchParams));
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="registrations.csv"',
      "Cache-Control": "no-store",
    },
  });
}
