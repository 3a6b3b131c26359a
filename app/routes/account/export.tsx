import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { requireViewer } from "#app/.server/accounts/guards.ts";
import { exportAccount } from "#app/.server/accounts/profile.ts";

/** A resource route: GET answers with the file itself, so it has no page, meta or error boundary of its own. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const viewer = requireViewer(request, context);
  // Only a navigation (a click on the link) exports: an image or script tag pointing here must not, since each
  // export is written to the audit log.
  const destination = request.headers.get("sec-fetch-dest");
  if (destination && destination !== "document") throw new Response("Open this link to download your data.", { status: 403 });
  const exported = await exportAccount(viewer.id, context.ip);
  const day = exported.exportedAt.toISOString().slice(0, 10);
  return new Response(JSON.stringify(exported, null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="liaison-account-${day}.json"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
