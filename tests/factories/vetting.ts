import { eq } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import type { User } from "#db/schema/accounts.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { deriveRoles, permissionsOf } from "#app/.server/accounts/permissions.ts";
import type { Actor } from "#app/.server/accounts/permissions.ts";
import type { RequestOrigin } from "#app/.server/accounts/site-url.ts";
import { submitApplication } from "#app/.server/vetting/applications.ts";
import { ApplySchema } from "#app/.server/vetting/schemas.ts";

type ApplicationFields = "agency" | "officialEmail" | "sponsorName" | "sponsorEmail" | "reason";

export const FACTORY_ORIGIN: RequestOrigin = { ip: "203.0.113.20", link: (path) => `http://liaison.test${path}` };

/** The user's permissions as the session would derive them now. */
export function actorFor(user: User): Actor {
  return { id: user.id, permissions: permissionsOf(deriveRoles(user, new Date())) };
}

/** A vetting application's fields as the form at /vetting sends them, parsed by its schema. */
export function applyInput(overrides: Partial<Record<ApplicationFields, string>> = {}) {
  return ApplySchema.parse({
    agency: "Postal Inspection Service",
    officialEmail: "ada.inspector@uspis.gov",
    sponsorName: "Sam Supervisor",
    sponsorEmail: "sam.supervisor@uspis.gov",
    reason: "I coordinate mail-fraud cases with partner agencies abroad.",
    ...overrides,
  });
}

/** An open vetting application filed by the user, as the form at /vetting would file it. */
export async function createApplication(applicant: Pick<User, "id">, overrides: Partial<Record<ApplicationFields, string>> = {}) {
  const input = applyInput({
    agency: "Drug Enforcement Administration",
    officialEmail: `applicant-${applicant.id.slice(0, 8)}@dea.gov`,
    sponsorName: "Pat Supervisor",
    sponsorEmail: `supervisor-${applicant.id.slice(0, 8)}@dea.gov`,
    reason: "I coordinate cross-border investigations of pill-press suppliers with partner agencies.",
    ...overrides,
  });
  const result = await submitApplication(applicant.id, input, FACTORY_ORIGIN);
  if (result.outcome === "already_member") throw new Error("The applicant is already a member and cannot apply yet.");
  return { applicationId: result.applicationId };
}

/** The outbox rows addressed to one address, oldest first. */
export async function mailsTo(address: string) {
  return getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, address)).orderBy(mailOutbox.id);
}

/** The single-use token of a link in a mail's text. */
export function tokenIn(text: string): string | undefined {
  return text.match(/token=([a-z2-7]{32})/)?.[1];
}
