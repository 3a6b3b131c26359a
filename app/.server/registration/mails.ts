import ical from "ical-generator";
import type { Conference } from "#db/schema/agenda.ts";
import type { Mail } from "../mail/outbox.ts";
import { describeSlot } from "../agenda/mails.ts";
import { dayRangeLabel, nextDay } from "../agenda/time.ts";

/** The mails registration sends, in one place so their tone stays the same. */

export type Links = { link: (path: string) => string };

const SIGNATURE = "\n\nThe Liaison organizers";

/** The conference as one all-day event over its days, for the confirmation mail. */
export function conferenceIcs(conference: Pick<Conference, "id" | "name" | "startsOn" | "endsOn" | "venue" | "city">, link: string): string {
  const cal = ical({ name: conference.name, prodId: { company: "Liaison", product: "Registration", language: "EN" } });
  cal.createEvent({
    id: `conference-${conference.id}@liaison`,
    allDay: true,
    start: new Date(`${conference.startsOn}T00:00:00Z`),
    // DTEND of an all-day event is the day after the last.
    end: new Date(`${nextDay(conference.endsOn)}T00:00:00Z`),
    summary: conference.name,
    location: `${conference.venue}, ${conference.city}`,
    url: link,
  });
  return cal.toString();
}

export function confirmationMail(to: string, name: string, conference: Conference, links: Links): Mail {
  const registration = links.link("/register");
  return {
    to,
    subject: `You are registered: ${conference.name}`,
    text:
      `Hello ${name},\n\nyour registration for ${conference.name} (${dayRangeLabel(conference.startsOn, conference.endsOn)}, ${conference.venue}, ${conference.city}) is approved: a seat is yours.\n\n` +
      `Your badge, to print and bring to the door: ${links.link("/register/badge")}\n` +
      `Sign up for breakout sessions: ${links.link("/register/breakouts")}\n` +
      `Change your answers or cancel: ${registration}\n\nThe conference is attached as a calendar event.${SIGNATURE}`,
    attachments: [{ filename: "conference.ics", contentType: "text/calendar; charset=utf-8; method=PUBLISH", content: conferenceIcs(conference, registration) }],
  };
}

export function declinedMail(to: string, name: string, conferenceName: string, reason: string): Mail {
  return {
    to,
    subject: `Your registration: ${conferenceName}`,
    text: `Hello ${name},\n\nthe organizers could not accept your registration for ${conferenceName}. Their reason:\n\n${reason}${SIGNATURE}`,
  };
}

export function waitlistedMail(to: string, name: string, conferenceName: string, links: Links): Mail {
  return {
    to,
    subject: `You are on the waitlist: ${conferenceName}`,
    text: `Hello ${name},\n\n${conferenceName} is full for now, so you are on the waitlist. Seats go to the waitlist in the order people joined it, and we will write as soon as one is yours.\n\nWhere you stand: ${links.link("/register")}${SIGNATURE}`,
  };
}

export function invitationMail(to: string, conference: Conference, token: string, links: Links): Mail {
  return {
    to,
    subject: `Invitation: ${conference.name}`,
    text:
      `Hello,\n\nthe organizers of ${conference.name} (${dayRangeLabel(conference.startsOn, conference.endsOn)}, ${conference.city}) invite you and have set a seat aside for you.\n\n` +
      `Register with this link (sign in or create an account with this address, ${to}): ${links.link(`/register?invitation=${token}`)}${SIGNATURE}`,
  };
}

export function signupPromotedMail(to: string, name: string, session: { title: string; startsAt: Date; endsAt: Date; timeZone: string }, links: Links): Mail {
  return {
    to,
    subject: `A seat is yours: ${session.title}`,
    text: `Hello ${name},\n\na seat came free in "${session.title}" (${describeSlot({ ...session, room: null }, session.timeZone)}) and, as you were next on its waitlist, it is yours.\n\nYour sessions: ${links.link("/register/breakouts")}${SIGNATURE}`,
  };
}

export function signupSessionCancelledMail(
  to: string,
  name: string,
  session: { title: string; startsAt: Date; endsAt: Date; timeZone: string },
  hadSeat: boolean,
  links: Links,
): Mail {
  const held = hadSeat ? "your seat in it" : "your place on its waitlist";
  return {
    to,
    subject: `Cancelled: ${session.title}`,
    text:
      `Hello ${name},\n\nthe organizers have cancelled "${session.title}" (${describeSlot({ ...session, room: null }, session.timeZone)}), so ${held} is released. ` +
      `Should the session be put back on the program, you would need to sign up for it again.\n\nYour sessions: ${links.link("/register/breakouts")}${SIGNATURE}`,
  };
}
