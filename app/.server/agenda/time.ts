import { tz, TZDate, tzOffset } from "@date-fns/tz";
import { addDays, format } from "date-fns";

/**
 * Calendar days and clock times in a named time zone. Zone arithmetic is @date-fns/tz's (the IANA rules the runtime
 * ships), never an offset of our own: a conference day is a day of the venue's calendar, and a viewer elsewhere sees
 * each session on the day it falls on where they are.
 */

/** A calendar day, 2027-06-07. */
export type DayKey = string;

export const DAY_KEY = /^\d{4}-\d{2}-\d{2}$/;
export const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/**
 * A pure function of short strings whose answers are kept: a program page asks the same few questions about days and
 * zones on every request, and each answer goes through Intl, which costs tens of microseconds.
 */
function kept<A extends unknown[], R>(keyOf: (...args: A) => string, compute: (...args: A) => R, max = 5_000): (...args: A) => R {
  const answers = new Map<string, R>();
  return (...args: A) => {
    const key = keyOf(...args);
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = compute(...args);
      if (answers.size >= max) answers.clear();
      answers.set(key, answer);
    }
    return answer;
  };
}

const knownZone = kept(
  (name: string) => name,
  (name: string) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: name });
      return true;
    } catch {
      return false;
    }
  },
);

export function isTimeZone(name: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name) && knownZone(name);
}

/** Whether a day key names a real day (2027-02-30 does not). */
export function isDayKey(value: string): boolean {
  if (!DAY_KEY.test(value)) return false;
  const [y, m, d] = value.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function parts(day: DayKey): [number, number, number] {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return [y, m - 1, d];
}

const HOUR_MS = 3_600_000;
const MAX_KNOWN_OFFSETS = 10_000;
/** `${zone} ${hour since the epoch}` → the zone's offset in minutes throughout that hour. */
const knownOffsets = new Map<string, number>();

/**
 * The zone's offset at an instant, in minutes. A lookup goes through Intl and costs tens of microseconds, and a program
 * page asks about the same few hours a hundred times: the answer is kept per zone and hour. An hour is kept only when
 * its first and last millisecond have the same offset, so an hour with a change of offset is always looked up exactly.
 */
function offsetAt(zone: string, instant: Date): number {
  const hour = Math.floor(instant.getTime() / HOUR_MS);
  const key = `${zone} ${hour}`;
  const known = knownOffsets.get(key);
  if (known !== undefined) return known;
  const first = tzOffset(zone, new Date(hour * HOUR_MS));
  if (tzOffset(zone, new Date((hour + 1) * HOUR_MS - 1)) !== first) return tzOffset(zone, instant);
  if (knownOffsets.size >= MAX_KNOWN_OFFSETS) knownOffsets.clear();
  knownOffsets.set(key, first);
  return first;
}

/** The zone's wall clock at an instant, as a Date whose UTC fields read it. */
function wallClock(instant: Date, zone: string): Date {
  return new Date(instant.getTime() + offsetAt(zone, instant) * 60_000);
}

/** The day an instant falls on in a zone. */
export function dayOf(instant: Date, zone: string): DayKey {
  return wallClock(instant, zone).toISOString().slice(0, 10);
}

/** 09:30 */
export function clockOf(instant: Date, zone: string): string {
  return wallClock(instant, zone).toISOString().slice(11, 16);
}

const dayStart = kept(
  (day: DayKey, zone: string) => `${day} ${zone}`,
  (day: DayKey, zone: string) => {
    const [y, m, d] = parts(day);
    return new TZDate(y, m, d, zone).getTime();
  },
);

/** The instant a day begins in a zone. */
export function startOfDayIn(day: DayKey, zone: string): Date {
  return new Date(dayStart(day, zone));
}

/** The instant a clock time is reached on a day in a zone (a time skipped by a DST change moves forward with it). */
export function atClock(day: DayKey, clock: string, zone: string): Date {
  const [y, m, d] = parts(day);
  const [hours, minutes] = clock.split(":").map(Number) as [number, number];
  return new Date(new TZDate(y, m, d, hours, minutes, zone).getTime());
}

const dayAfter = kept(
  (day: DayKey, count: number) => `${day} ${count}`,
  (day: DayKey, count: number): DayKey => {
    const [y, m, d] = parts(day);
    return format(addDays(new TZDate(y, m, d, 12, "UTC"), count), "yyyy-MM-dd", { in: tz("UTC") });
  },
);

export function nextDay(day: DayKey, count = 1): DayKey {
  return dayAfter(day, count);
}

/** Every day from first to last, both included. */
export function daysFrom(first: DayKey, last: DayKey): DayKey[] {
  const days: DayKey[] = [];
  for (let day = first; day <= last && days.length < 400; day = nextDay(day)) days.push(day);
  return days;
}

const label = kept(
  (day: DayKey, pattern: string) => `${day} ${pattern}`,
  (day: DayKey, pattern: string) => {
    const [y, m, d] = parts(day);
    return format(new TZDate(y, m, d, 12, "UTC"), pattern, { in: tz("UTC") });
  },
);

/** Mon 7 June */
export function dayLabel(day: DayKey): string {
  return label(day, "EEE d MMMM");
}

/** Monday 7 June 2027 */
export function longDayLabel(day: DayKey): string {
  return label(day, "EEEE d MMMM yyyy");
}

/** 7–11 June 2027, 30 May – 3 June 2027, 30 December 2027 – 2 January 2028 */
export function dayRangeLabel(first: DayKey, last: DayKey): string {
  if (first === last) return label(first, "d MMMM yyyy");
  if (first.slice(0, 7) === last.slice(0, 7)) return `${label(first, "d")}–${label(last, "d MMMM yyyy")}`;
  if (first.slice(0, 4) === last.slice(0, 4)) return `${label(first, "d MMMM")} – ${label(last, "d MMMM yyyy")}`;
  return `${label(first, "d MMMM yyyy")} – ${label(last, "d MMMM yyyy")}`;
}

/** GMT-4, GMT+5:30 */
export function offsetLabel(instant: Date, zone: string): string {
  return format(instant, "zzz", { in: tz(zone) });
}

/** America/New_York → New York; Asia/Kolkata → Kolkata. */
export function zoneCity(zone: string): string {
  return (zone.split("/").pop() ?? zone).replace(/_/g, " ");
}

/** "New York time (GMT-4)": a zone as the pages name it, with its offset at a given instant. */
// Every program page labels some twenty zones at the edition's start: the same few answers, worth keeping.
const zoneLabels = new Map<string, string>();

export function zoneLabel(zone: string, at: Date): string {
  const key = `${zone} ${at.getTime()}`;
  let label = zoneLabels.get(key);
  if (label === undefined) {
    label = zone === "UTC" ? "UTC" : `${zoneCity(zone)} time (${offsetLabel(at, zone)})`;
    if (zoneLabels.size >= 1_000) zoneLabels.clear();
    zoneLabels.set(key, label);
  }
  return label;
}

/**
 * Zones offered in the switch on every program page: where the agencies that come to these conferences work. Any
 * other IANA zone works through the `tz` parameter.
 */
export const COMMON_ZONES = [
  "UTC",
  "America/Los_Angeles",
  "America/Denver",
  "America/Chicago",
  "America/New_York",
  "America/Toronto",
  "America/Mexico_City",
  "America/Bogota",
  "America/Sao_Paulo",
  "Europe/London",
  "Europe/Brussels",
  "Europe/Berlin",
  "Africa/Lagos",
  "Africa/Johannesburg",
  "Asia/Dubai",
  "Asia/Karachi",
  "Asia/Kolkata",
  "Asia/Bangkok",
  "Asia/Shanghai",
  "Asia/Manila",
  "Asia/Tokyo",
  "Australia/Sydney",
  "Pacific/Auckland",
] as const;
