/** Whether an If-None-Match header names `etag`: in a list, weak (W/) or strong, or `*`. */
export function matchesEtag(header: string | null | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === etag || t === `W/${etag}` || t === "*";
  });
}
