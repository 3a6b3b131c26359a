import { z } from "zod";

/**
 * The one place that says what text the site accepts. Postgres cannot store NUL in text (a NUL reached the database
 * as a 500), and other control characters have no business in a form; line breaks and tabs are fine where a field
 * has lines. Names also refuse the invisible characters that change how text around them is shown (direction
 * overrides, zero-width characters), which could make one name in a list look like another.
 */
const LINE_CHARACTERS = new Set([0x09, 0x0a, 0x0d]);
const INVISIBLE_FORMATTING = /[\u061C\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/;

export const TEXT_MESSAGES = {
  control: "Remove the control characters (such as NUL) from this field.",
  invisible: "Remove the invisible formatting characters (direction overrides, zero-width spaces) from this field.",
} as const;

/** C0 controls, DEL and C1 controls; with `lines`, tab, line feed and carriage return are allowed. */
export function hasControlCharacters(value: string, lines: boolean): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 || (code >= 0x7f && code <= 0x9f)) && !(lines && LINE_CHARACTERS.has(code))) return true;
  }
  return false;
}

export function hasInvisibleFormatting(value: string): boolean {
  return INVISIBLE_FORMATTING.test(value);
}

/** A string field without control characters; `lines` allows line breaks and tabs (a reason, a statement). */
export function plainString(options: { missing?: string; lines?: boolean } = {}) {
  const base = options.missing === undefined ? z.string() : z.string({ error: options.missing });
  return base.refine((value) => !hasControlCharacters(value, options.lines ?? false), TEXT_MESSAGES.control);
}

/** A required one-line field, trimmed, between 1 and `max` characters. */
export function requiredLine(missing: string, max: number, tooLong: string) {
  return plainString({ missing }).trim().min(1, missing).max(max, tooLong);
}

/** A required text with lines, trimmed. */
export function requiredText(missing: string, max: number, tooLong: string, min: { length: number; message: string } = { length: 1, message: missing }) {
  return plainString({ missing, lines: true }).trim().min(min.length, min.message).max(max, tooLong);
}

/** A person's or an organization's name: one line, and nothing invisible that could disguise it as another. */
export function nameLine(missing: string, max: number, tooLong: string) {
  return requiredLine(missing, max, tooLong).refine((value) => !hasInvisibleFormatting(value), TEXT_MESSAGES.invisible);
}
