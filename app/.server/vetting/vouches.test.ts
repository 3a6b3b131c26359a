import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { vettingVouches } from "#db/schema/vetting.ts";
import { createUser } from "#tests/factories/accounts.ts";
import { submitApplication } from "./applications.ts";
import { decideApplication } from "./review.ts";
import { actorFor, applyInput, FACTORY_ORIGIN as origin } from "#tests/factories/vetting.ts";
import { listApplicationsToVouch, vouchFor } from "./vouches.ts";

async function openApplication() {
  const applicant = await createUser({ name: "Appy Applicant" });
  const result = await submitApplication(applicant.id, applyInput(), origin);
  if (result.outcome !== "created") throw new Error("expected a new application");
  return { applicant, applicationId: result.applicationId };
}

describe("vouching", () => {
  it("lists open applications with who, not why", async () => {
    const { applicationId } = await openApplication();
    const member = actorFor(await createUser({ traits: ["verified", "member"] }));
    const listed = (await listApplicationsToVouch(member)).find((row) => row.id === applicationId);
    expect(listed).toMatchObject({ name: "Appy Applicant", agency: "Postal Inspection Service", country: "US", vouchedAt: null });
    expect(Object.keys(listed!).sort()).toEqual(["agency", "country", "id", "name", "submittedAt", "vouchedAt"]);
  });

  it("counts one vouch per member, however often they submit", async () => {
    const { applicationId } = await openApplication();
    const member = actorFor(await createUser({ traits: ["verified", "member"] }));
    const input = { applicationId, statement: "Worked with her on a joint case in 2023." };
    expect(await vouchFor(member, input, null)).toBe("vouched");
    expect(await vouchFor(member, input, null)).toBe("already_vouched");
    expect(await getDb().select().from(vettingVouches).where(eq(vettingVouches.applicationId, applicationId))).toHaveLength(1);
    expect(await getDb().select().from(auditLog).where(eq(auditLog.subjectId, applicationId))).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: "vetting.vouched", actorId: member.id })]),
    );
    const listed = (await listApplicationsToVouch(member)).find((row) => row.id === applicationId);
    expect(listed?.vouchedAt).toBeInstanceOf(Date);
  });

  it("refuses a vouch for oneself", async () => {
    // A member renewing their membership has an open application of their own.
    const member = await createUser({ traits: ["verified", "member"] });
    await getDb().update(users).set({ memberUntil: sql`now() + interval '5 days'` }).where(eq(users.id, member.id));
    const result = await submitApplication(member.id, applyInput(), origin);
    if (result.outcome !== "created") throw new Error("expected a renewal application");
    const actor = actorFor(member);
    expect(await vouchFor(actor, { applicationId: result.applicationId, statement: "I vouch for me" }, null)).toBe("own_application");
    expect((await listApplicationsToVouch(actor)).some((row) => row.id === result.applicationId)).toBe(false);
  });

  it("refuses a vouch for a decided or unknown application", async () => {
    const { applicationId } = await openApplication();
    const organizer = actorFor(await createUser({ roles: ["organizer"] }));
    await decideApplication(organizer, applicationId, { intent: "reject", reason: "No sponsor could confirm." }, origin);
    const member = actorFor(await createUser({ traits: ["verified", "member"] }));
    expect(await vouchFor(member, { applicationId, statement: "Too late" }, null)).toBe("not_open");
    expect(await vouchFor(member, { applicationId: crypto.randomUUID(), statement: "Nobody" }, null)).toBe("not_open");
    expect((await listApplicationsToVouch(member)).some((row) => row.id === applicationId)).toBe(false);
  });

  it("is for members only", async () => {
    const { applicationId } = await openApplication();
    const attendee = actorFor(await createUser());
    await expect(vouchFor(attendee, { applicationId, statement: "Hi" }, null)).rejects.toMatchObject({ status: 403 });
  });
});
