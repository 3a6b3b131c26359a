import { LONG_DAY } from "#app/shared/dates.ts";

export const OPEN_STATUSES = ["submitted", "info_requested"] as const;

/** Dates in mail: one unambiguous form for every reader, whatever their locale. */
export function mailDate(date: Date): string {
  return LONG_DAY.format(date);
}
