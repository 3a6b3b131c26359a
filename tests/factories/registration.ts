import { eq, sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import type { User } from "#db/schema/accounts.ts";
import { registrations, registrationSettings, type ApprovalMode, type RegistrationStatus } from "#db/schema/registration.ts";
import type { RegistrationForm } from "#app/shared/registration.ts";
import { createConference } from "./agenda.ts";

/** The links mails carry in tests. */
export const TEST_LINKS = { link: (path: string) => `http://liaison.test${path}` };

/** The current edition (7–11 June 2027, registration open) with the given rules. */
export async function createRegistrationConference(options: { capacity?: number | null; approval?: ApprovalMode; seatsTaken?: number; changeDeadline?: Date | null; membersOnly?: RegistrationForm["category"][] } = {}) {
  const conference = await createConference({ current: true });
  await getDb()
    .update(registrationSettings)
    .set({
      capacity: options.capacity ?? null,
      approval: options.approval ?? "manual",
      seatsTaken: options.seatsTaken ?? 0,
      changeDeadline: options.changeDeadline ?? null,
      membersOnlyCategories: options.membersOnly ?? [],
    })
    .where(eq(registrationSettings.conferenceId, conference.id));
  return conference;
}

export function registrationForm(overrides: Partial<RegistrationForm> = {}): RegistrationForm {
  return {
    category: "us_federal",
    agency: "Postal Inspection Service",
    jobTitle: "Postal Inspector",
    country: "US",
    arrivalOn: "2027-06-06",
    departureOn: "2027-06-11",
    dietaryNeeds: "",
    accessibilityNeeds: "",
    directoryConsent: true,
    ...overrides,
  };
}

/**
 * A registration written directly, as if decided already. A seated one (approved, checked in) also takes its seat
 * on the ledger, so the ledger stays true.
 */
export async function createRegistration(user: Pick<User, "id">, conferenceId: string, status: RegistrationStatus = "approved", overrides: Partial<RegistrationForm> = {}) {
  const [row] = await getDb()
    .insert(registrations)
    .values({ conferenceId, userId: user.id, status, ...registrationForm(overrides), waitlistedAt: status === "waitlisted" ? sql`clock_timestamp()` : null })
    .returning();
  if (status === "approved" || status === "checked_in") {
    await getDb()
      .update(registrationSettings)
      .set({ seatsTaken: sql`${registrationSettings.seatsTaken} + 1` })
      .where(eq(registrationSettings.conferenceId, conferenceId));
  }
  return row!;
}
