import { requirePermission } from "#app/.server/accounts/guards.ts";
import { getDoorList, syncScans, SyncSchema } from "#app/.server/registration/check-in.ts";
import { fieldErrorsOf } from "#app/shared/form-reply.ts";
import type { ActionFunctionArgs, LoaderFunctionArgs } from "#app/shared/route-args.ts";

/**
 * The check-in page's JSON: GET the badges that may enter (for a phone's offline list), POST a batch of scans (at
 * most MAX_SCANS_PER_REQUEST; a scan id sent before is answered from its record, so a batch may be sent again).
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requirePermission(request, context, "check-in:attendees");
  return Response.json(await getDoorList(viewer), { headers: { "Cache-Control": "no-store" } });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const viewer = requirePermission(request, context, "check-in:attendees");
  const body: unknown = request.headers.get("Content-Type")?.startsWith("application/json") ? await request.json().catch(() => null) : null;
  const parsed = SyncSchema.safeParse(body);
  // The whole batch is refused, so the phone keeps it and shows why.
  if (!parsed.success) return Response.json({ results: [], errors: fieldErrorsOf(parsed.error) }, { status: 400, headers: { "Cache-Control": "no-store" } });
  return Response.json({ results: await syncScans(viewer, parsed.data.scans) });
}
