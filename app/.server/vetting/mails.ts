import type { Mail } from "../mail/outbox.ts";
import { config } from "../config.ts";
import { mailDate } from "./context.ts";

/** The texts of every mail vetting sends, in one place so their tone stays the same. */

const SIGNATURE = "\n\nThe Liaison organizers";

export function applicationReceivedMail(to: string, name: string, statusLink: string, verificationSent: boolean): Mail {
  const verification = verificationSent
    ? "\n\nWe also sent a link to your official address. Open it there: a verified official address speeds up the review."
    : "";
  return {
    to,
    subject: "We received your application for membership",
    text: `Hello ${name},\n\nThank you for applying to become a vetted member of Liaison. The organizers review every application by hand; you will hear from us by mail.${verification}\n\nYou can follow your application here: ${statusLink}${SIGNATURE}`,
  };
}

export function officialEmailVerificationMail(to: string, applicantName: string, link: string): Mail {
  return {
    to,
    subject: "Confirm your official address for your Liaison application",
    text: `Hello,\n\n${applicantName} gave this address as their official address in an application for membership of Liaison, a portal for interagency conferences.\n\nIf that was you, confirm the address within 48 hours here (the page asks you to press a button):\n\n${link}\n\nIf it was not you, ignore this mail: nothing changes unless the button is pressed.`,
  };
}

export function informationRequestedMail(to: string, name: string, question: string, statusLink: string): Mail {
  return {
    to,
    subject: "The organizers have a question about your application",
    text: `Hello ${name},\n\nBefore deciding on your application, the organizers ask:\n\n${quote(question)}\n\nPlease answer here: ${statusLink}${SIGNATURE}`,
  };
}

export function approvedMail(to: string, name: string, memberUntil: Date, forumLink: string): Mail {
  return {
    to,
    subject: "Welcome: your Liaison membership is approved",
    text: `Hello ${name},\n\nYour application is approved: you are a vetted member of Liaison until ${mailDate(memberUntil)}.\n\nMembers must sign in with a second factor. The next time you sign in you will be asked to set up an authenticator app; then the discussion board is open to you: ${forumLink}${SIGNATURE}`,
  };
}

export function rejectedMail(to: string, name: string, reason: string, statusLink: string): Mail {
  return {
    to,
    subject: "Your application for Liaison membership",
    text: `Hello ${name},\n\nThe organizers could not approve your application this time. Their reason:\n\n${quote(reason)}\n\nIf your circumstances change you may apply again: ${statusLink}${SIGNATURE}`,
  };
}

export function suspendedMail(to: string, name: string, reason: string): Mail {
  return {
    to,
    subject: "Your Liaison account is suspended",
    text: `Hello ${name},\n\nThe organizers have suspended your Liaison account, and you have been signed out everywhere. Their reason:\n\n${quote(reason)}\n\nIf you think this is a mistake, write to the organizers at ${config().organizersEmail}.${SIGNATURE}`,
  };
}

export function reinstatedMail(to: string, name: string, loginLink: string): Mail {
  return {
    to,
    subject: "Your Liaison account is active again",
    text: `Hello ${name},\n\nThe organizers have lifted the suspension of your Liaison account. You can sign in again: ${loginLink}${SIGNATURE}`,
  };
}

export function membershipReminderMail(to: string, name: string, memberUntil: Date, renewLink: string): Mail {
  return {
    to,
    subject: `Your Liaison membership ends on ${mailDate(memberUntil)}`,
    text: `Hello ${name},\n\nYour membership of Liaison ends on ${mailDate(memberUntil)}. After that the discussion board and the member directory close to you until you are vetted again.\n\nTo stay a member, apply for renewal: ${renewLink}\n\nAn approved renewal runs from the end of your current membership, so applying early costs you nothing.${SIGNATURE}`,
  };
}

function quote(text: string): string {
  return text
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n");
}
