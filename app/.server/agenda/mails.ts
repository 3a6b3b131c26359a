import type { ProgramChangeKind } from "#db/schema/agenda.ts";
import type { Mail } from "../mail/outbox.ts";
import { clockOf, dayOf, longDayLabel, zoneLabel } from "./time.ts";

/** The mails the agenda sends, in one place so their tone stays the same. */

const SIGNATURE = "\n\nThe Liaison organizers";

export type Slot = { startsAt: Date; endsAt: Date; room: string | null };

/** "Tuesday 8 June 2027, 10:00–11:00, Potomac Ballroom" in the venue's zone. */
export function describeSlot(slot: Slot, zone: string): string {
  const day = longDayLabel(dayOf(slot.startsAt, zone));
  const endDay = dayOf(slot.endsAt, zone) !== dayOf(slot.startsAt, zone) ? " (the next day)" : "";
  return `${day}, ${clockOf(slot.startsAt, zone)}–${clockOf(slot.endsAt, zone)}${endDay}${slot.room ? `, ${slot.room}` : ""}`;
}

const WHAT: Record<ProgramChangeKind, string> = {
  moved: "has moved",
  cancelled: "is cancelled",
  reinstated: "is back on the program",
};

export function sessionChangedMail(
  to: string,
  name: string,
  change: { kind: ProgramChangeKind; title: string; conference: string; zone: string; from: Slot; to: Slot },
  link: string,
): Mail {
  const times = `Times are ${zoneLabel(change.zone, change.to.startsAt)}.`;
  const body =
    change.kind === "moved"
      ? `It was: ${describeSlot(change.from, change.zone)}\nIt is now: ${describeSlot(change.to, change.zone)}\n\n${times}`
      : change.kind === "cancelled"
        ? `It was to take place ${describeSlot(change.from, change.zone)}. ${times}`
        : `It takes place ${describeSlot(change.to, change.zone)}. ${times}`;
  return {
    to,
    subject: `Program change: "${change.title}" ${WHAT[change.kind]}`,
    text: `Hello ${name},\n\nA session you starred in the program of ${change.conference} ${WHAT[change.kind]}: "${change.title}".\n\n${body}\n\nThe session: ${link}${SIGNATURE}`,
  };
}

/** For a reader who may no longer see the session: that something changed, and where to look, nothing more. */
export function restrictedSessionChangedMail(to: string, name: string, conference: string, link: string): Mail {
  return {
    to,
    subject: `A session you starred has changed`,
    text: `Hello ${name},\n\nA session you starred in the program of ${conference} has changed. Sign in to see your agenda as it stands now: ${link}${SIGNATURE}`,
  };
}
