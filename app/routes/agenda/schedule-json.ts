import { accessScope } from "#app/.server/access/audience.ts";
import { responseLinks } from "#app/.server/agenda/links.ts";
import { scheduleExport } from "#app/.server/agenda/schedule-export.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";

/** /agenda/schedule.json: the current program in the frab/pretalx schedule format, for conference apps. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const schedule = await scheduleExport(accessScope(context.viewer), null, responseLinks(request));
  return new Response(JSON.stringify(schedule), { headers: { "Content-Type": "application/json; charset=utf-8" } });
}
