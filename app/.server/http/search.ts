import { invalid } from "../errors.ts";
import { hasControlCharacters, TEXT_MESSAGES } from "./text.ts";

/**
 * A search box's term: anything longer is cut rather than refused, since it arrives by GET; a control character
 * (a NUL would reach Postgres and fail there) is refused with a 400 naming the field.
 */
export function searchTerm(value: string | null, maxLength = 100, field = "q"): string {
  const term = (value ?? "").trim().slice(0, maxLength);
  if (hasControlCharacters(term, false)) throw invalid(field, TEXT_MESSAGES.control);
  return term;
}

/** The pattern for an ILIKE search on `term`, with the wildcards in it taken literally. */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}
