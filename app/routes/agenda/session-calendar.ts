import { accessScope } from "#app/.server/access/audience.ts";
import { sessionCalendar } from "#app/.server/agenda/feeds.ts";
import { responseLinks } from "#app/.server/agenda/links.ts";
import { SessionIdSchema } from "#app/.server/agenda/schemas.ts";
import { NotFoundError } from "#app/.server/errors.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";

/** /agenda/sessions/:id.ics: one session as iCalendar, for "add to my calendar". */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const id = SessionIdSchema.safeParse(params.id);
  if (!id.success) throw new NotFoundError();
  const body = await sessionCalendar(accessScope(context.viewer), id.data, responseLinks(request));
  return new Response(body, {
    headers: { "Content-Type": "text/calendar; charset=utf-8", "Content-Disposition": `attachment; filename="session-${id.data}.ics"` },
  });
}
