/**
 * The site's date formats. Always UTC, so the server and the browser render the same text and readers in
 * different countries read the same time; the pages say "UTC" where a time of day is shown.
 */
const utc = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" });

/** 28 November 2026 */
export const LONG_DAY = utc({ dateStyle: "long" });
/** 28 Nov 2026 */
export const SHORT_DAY = utc({ dateStyle: "medium" });
/** 28 Nov 2026, 14:05 */
export const DATE_TIME = utc({ dateStyle: "medium", timeStyle: "short" });
/** 28 Nov 2026, 14:05:09: for the audit log, where seconds matter. */
export const TIMESTAMP = utc({ dateStyle: "medium", timeStyle: "medium" });
