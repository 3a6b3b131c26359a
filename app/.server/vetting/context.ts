export const OPEN_STATUSES = ["submitted", "info_requested"] as const;

const DAY = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" });

/** Dates in mail: one unambiguous form for every reader, whatever their locale. */
export function mailDate(date: Date): string {
  return DAY.format(date);
}
