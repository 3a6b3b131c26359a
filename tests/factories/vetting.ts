import type { User } from "#db/schema/accounts.ts";
import { submitApplication } from "#app/.server/vetting/applications.ts";
import type { RequestOrigin } from "#app/.server/accounts/site-url.ts";
import { ApplySchema } from "#app/.server/vetting/schemas.ts";

type ApplicationFields = "agency" | "officialEmail" | "sponsorName" | "sponsorEmail" | "reason";

export const FACTORY_ORIGIN: RequestOrigin = { ip: "203.0.113.20", link: (path) => `http://liaison.test${path}` };

/** An open vetting application filed by the user, as the form at /vetting would file it. */
export async function createApplication(applicant: Pick<User, "id">, overrides: Partial<Record<ApplicationFields, string>> = {}) {
  const input = ApplySchema.parse({
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
