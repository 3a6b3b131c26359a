import { trackStylesheet } from "#app/.server/agenda/track-styles.ts";
import { matchesEtag } from "#app/.server/http/etag.ts";
import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";

/**
 * /agenda/tracks.css: the tracks' colours. The same for every viewer, so any cache may keep it for a few minutes
 * (a colour changed by an import shows within them) and then revalidate it by its ETag.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const { css, etag } = await trackStylesheet();
  const headers = { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=300", ETag: etag };
  if (matchesEtag(request.headers.get("If-None-Match"), etag)) return new Response(null, { status: 304, headers });
  return new Response(css, { headers });
}
