/** Reading the pages the server renders, as a screen reader would find them: the error summary, notices, fields. */

function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The messages of a form's error summary (role="alert"), in order; null when the page has none. */
export function errorSummary(html: string): string[] | null {
  const box = /<div class="error-summary" role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(html)?.[1];
  if (box === undefined) return null;
  return [...box.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((item) => text(item[1]!));
}

/** The one message of a summary that holds a single one (a refused sign-in, say). */
export function formAlert(html: string): string | null {
  return errorSummary(html)?.join(" ") ?? null;
}

/** The announced notices (role="status") of a page, as text. */
export function notices(html: string): string[] {
  return [...html.matchAll(/<p class="notice success" role="status">([\s\S]*?)<\/p>/g)].map((match) => text(match[1]!));
}

/** The attributes of the input, textarea or select with this id, or null. */
export function field(html: string, id: string): Record<string, string> | null {
  const tag = new RegExp(`<(?:input|textarea|select)\\b[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  if (!tag) return null;
  // React writes some attributes in camelCase (maxLength); HTML reads them case-blind.
  return Object.fromEntries([...tag.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)].slice(1).map((match) => [match[1]!.toLowerCase(), match[2] ?? ""]));
}

/** The text of a textarea with this id (its value as the page shows it). */
export function textareaValue(html: string, id: string): string | null {
  const match = new RegExp(`<textarea\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  return match ? text(match[1]!) : null;
}
