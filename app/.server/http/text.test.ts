import { describe, expect, it } from "vitest";
import { ProfileFieldsSchema, SignUpSchema } from "../accounts/schemas.ts";
import { AuditFilterSchema } from "../admin/audit.ts";
import { CreateGroupSchema } from "../access/schemas.ts";
import { AllowlistAddSchema, AllowlistRemoveSchema, ApplySchema, DecisionSchema, SuspendSchema, VouchSchema } from "../vetting/schemas.ts";
import { searchTerm } from "./search.ts";
import { TEXT_MESSAGES } from "./text.ts";

const profile = { name: "Ann Example", agency: "Postal Inspection Service", jobTitle: "Inspector", country: "US" };
const application = {
  agency: "Postal Inspection Service",
  officialEmail: "ann@uspis.gov",
  sponsorName: "Sam Supervisor",
  sponsorEmail: "sam@uspis.gov",
  reason: "I coordinate mail-fraud cases with partner agencies abroad.",
};

function fieldErrors(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of result.error?.issues ?? []) (errors[String(issue.path[0])] ??= []).push(issue.message);
  return errors;
}

describe("text fields refuse control characters with the field's message (issue 7, finding 7)", () => {
  it.each([
    ["profile name", () => ProfileFieldsSchema.safeParse({ ...profile, name: "Ann\u0000" }), "name"],
    ["job title", () => ProfileFieldsSchema.safeParse({ ...profile, jobTitle: "Insp\u0007ector" }), "jobTitle"],
    ["sign-up agency", () => SignUpSchema.safeParse({ ...profile, agency: "A\u0000B", email: "a@b.example", password: "a long enough passphrase" }), "agency"],
    ["vetting reason", () => ApplySchema.safeParse({ ...application, reason: `${application.reason}\u0000` }), "reason"],
    ["vouch statement", () => VouchSchema.safeParse({ applicationId: crypto.randomUUID(), statement: "Known\u0000" }), "statement"],
    ["rejection reason", () => DecisionSchema.safeParse({ intent: "reject", reason: "No\u0000" }), "reason"],
    ["suspension reason", () => SuspendSchema.safeParse({ intent: "suspend", userId: crypto.randomUUID(), reason: "x\u0000" }), "reason"],
    ["allowlist note", () => AllowlistAddSchema.safeParse({ intent: "add", domain: "uspis.gov", note: "\u0000" }), "note"],
    ["allowlist removal", () => AllowlistRemoveSchema.safeParse({ intent: "remove", domain: "gov\u0000" }), "domain"],
    ["audit actor search", () => AuditFilterSchema.safeParse({ actor: "\u0000" }), "actor"],
    ["group name", () => CreateGroupSchema.safeParse({ intent: "create", kind: "agency", name: "G\u0000" }), "name"],
  ])("%s", (_label, parse, field) => {
    expect(fieldErrors(parse())[field]).toContain(TEXT_MESSAGES.control);
  });

  it("keeps line breaks and tabs where a field has lines, and refuses them in a name", () => {
    expect(ApplySchema.safeParse({ ...application, reason: `${application.reason}\n\tSecond line.` }).success).toBe(true);
    expect(fieldErrors(ProfileFieldsSchema.safeParse({ ...profile, name: "Ann\nExample" })).name).toContain(TEXT_MESSAGES.control);
  });

  it("refuses a NUL in a search term from the query string with a 400 naming the field", () => {
    expect(() => searchTerm("a\u0000b")).toThrow(expect.objectContaining({ status: 400, fieldErrors: { q: [TEXT_MESSAGES.control] } }));
    expect(searchTerm("  ann  ")).toBe("ann");
  });
});

describe("names refuse invisible formatting (finding 12)", () => {
  it.each([
    ["a right-to-left override", "Ann \u202Enimda"],
    ["a left-to-right isolate", "Ann \u2066x\u2069"],
    ["a zero-width space", "Ad\u200Bmin"],
    ["a zero-width joiner", "Ad\u200Dmin"],
    ["a byte-order mark inside", "Ad\uFEFFmin"],
  ])("%s", (_label, name) => {
    expect(fieldErrors(ProfileFieldsSchema.safeParse({ ...profile, name })).name).toEqual([TEXT_MESSAGES.invisible]);
    expect(fieldErrors(ApplySchema.safeParse({ ...application, sponsorName: name })).sponsorName).toEqual([TEXT_MESSAGES.invisible]);
  });

  it("accepts names in any script", () => {
    for (const name of ["Zoë Ødegaard", "محمد عبد الله", "李小龍", "Ngũgĩ wa Thiong'o"]) {
      expect(ProfileFieldsSchema.safeParse({ ...profile, name }).success).toBe(true);
    }
  });
});
