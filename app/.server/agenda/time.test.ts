import { describe, expect, it } from "vitest";
import { clockOf, dayOf } from "./time.ts";

const formats = new Map<string, Intl.DateTimeFormat>();

/** The wall clock as Intl reads it, independently of the offsets time.ts keeps. */
function reference(instant: Date, zone: string): { day: string; clock: string } {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formats.set(zone, format);
  }
  const parts = Object.fromEntries(
    format
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return { day: `${parts.year}-${parts.month}-${parts.day}`, clock: `${parts.hour}:${parts.minute}` };
}

describe("clock and day of an instant in a zone", () => {
  // Around changes of offset: New York and London (an hour), Lord Howe Island (half an hour, and in October at half
  // past a UTC hour, so within an hour the offsets are kept for), Kolkata and Kathmandu (none, at odd offsets); every eleven minutes for a day either side, so instants land on both sides of each change
  // and again in hours whose offset is already known.
  const changes: [string, string][] = [
    ["America/New_York", "2027-03-14T07:00:00Z"],
    ["America/New_York", "2027-11-07T06:00:00Z"],
    ["Europe/London", "2027-03-28T01:00:00Z"],
    ["Australia/Lord_Howe", "2027-04-03T15:00:00Z"],
    ["Australia/Lord_Howe", "2027-10-02T15:30:00Z"],
    ["Asia/Kolkata", "2027-06-10T18:00:00Z"],
    ["Asia/Kathmandu", "2027-06-10T18:00:00Z"],
    ["America/Los_Angeles", "2027-11-07T09:00:00Z"],
  ];
  for (const [zone, at] of changes) {
    it(`reads ${zone} around ${at} as Intl does`, () => {
      const centre = Date.parse(at);
      for (let t = centre - 86_400_000; t <= centre + 86_400_000; t += 11 * 60_000) {
        const instant = new Date(t);
        const expected = reference(instant, zone);
        expect({ day: dayOf(instant, zone), clock: clockOf(instant, zone) }, `${instant.toISOString()} in ${zone}`).toEqual(expected);
      }
    });
  }

  it("knows the minute before and the minute of a change", () => {
    expect(clockOf(new Date("2027-03-14T06:59:00Z"), "America/New_York")).toBe("01:59");
    expect(clockOf(new Date("2027-03-14T07:00:00Z"), "America/New_York")).toBe("03:00");
    expect(clockOf(new Date("2027-04-03T14:59:00Z"), "Australia/Lord_Howe")).toBe("01:59");
    expect(clockOf(new Date("2027-04-03T15:00:00Z"), "Australia/Lord_Howe")).toBe("01:30");
    expect(clockOf(new Date("2027-10-02T15:29:00Z"), "Australia/Lord_Howe")).toBe("01:59");
    expect(clockOf(new Date("2027-10-02T15:30:00Z"), "Australia/Lord_Howe")).toBe("02:30");
  });
});
