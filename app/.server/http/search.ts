/** A search box's term: anything longer is cut rather than refused, since it arrives by GET. */
export function searchTerm(value: string | null, maxLength = 100): string {
  return (value ?? "").trim().slice(0, maxLength);
}

/** The pattern for an ILIKE search on `term`, with the wildcards in it taken literally. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
