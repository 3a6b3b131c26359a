import { accessScope } from "#app/.server/access/audience.ts";
import { programCalendar } from "#app/.server/agenda/feeds.ts";
import { responseLinks } from "#app/.server/agenda/links.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";

/** /agenda.ics: the current program as iCalendar, with what the asker may see (a calendar app: the public program). */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const body = await programCalendar(accessScope(context.viewer), null, responseLinks(request));
  return new Response(body, {
    headers: { "Content-Type": "text/calendar; charset=utf-8", "Content-Disposition": 'inline; filename="program.ics"' },
  });
}
