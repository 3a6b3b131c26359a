import { personalCalendar } from "#app/.server/agenda/feeds.ts";
import { responseLinks } from "#app/.server/agenda/links.ts";
import { NotFoundError } from "#app/.server/errors.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";

/**
 * /agenda/feed/:token.ics: a viewer's starred sessions for their calendar app, which cannot sign in; the token in the
 * address is the secret. Not stored by caches, not indexed.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const token = params.token ?? "";
  if (!/^[a-z2-7]{32}$/.test(token)) throw new NotFoundError();
  const body = await personalCalendar(token, responseLinks(request));
  return new Response(body, {
    headers: {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": 'inline; filename="my-agenda.ics"',
      "Cache-Control": "private, no-store",
      "X-Robots-Tag": "noindex",
    },
  });
}
