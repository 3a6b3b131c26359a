/**
 * Registration over HTTP, as a browser without JavaScript uses it: a refused form answers 400 with the messages and
 * what was typed, within the schema's limits; two submits at once give one registration; cancelling takes a second
 * step; the CSV export escapes formula cells; a door phone's queue of scans goes in as JSON and a resent queue
 * changes nothing.
 */
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { registrations } from "#db/schema/registration.ts";
import { badgeToken } from "#app/.server/registration/badges.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { createRegistration, createRegistrationConference } from "#tests/factories/registration.ts";
import { startTestApp, type TestApp, type TestClient } from "#tests/support/app.ts";

let app: TestApp;
let conferenceId: string;

beforeAll(async () => {
  app = await startTestApp();
  const conference = await createRegistrationConference({ capacity: 10, approval: "open" });
  // The factory's edition is open; its dates are all the rest needs.
  await getDb().execute(sql`update conferences set registration_opens_on = null, registration_closes_on = null where id = ${conference.id}`);
  conferenceId = conference.id;
});

afterAll(async () => {
  await app?.close();
});

async function signedIn(options: { roles?: ("organizer" | "admin")[]; name?: string } = {}): Promise<{ client: TestClient; userId: string }> {
  const user = await createUser({ roles: options.roles ?? [], name: options.name });
  const { token } = await createUserSession(user.id, { mfaVerified: Boolean(options.roles?.length) });
  const client = app.client();
  client.cookies.set("liaison_session", token);
  return { client, userId: user.id };
}

const FORM = { intent: "register", category: "us_federal", agency: "Postal Inspection Service", jobTitle: "Inspector", country: "US", arrivalOn: "2027-06-06", departureOn: "2027-06-11" };

describe("the registration form without JavaScript", () => {
  it("answers 400 with a message per field and keeps what was typed", async () => {
    const { client } = await signedIn();
    const res = await client.post("/register", { ...FORM, agency: "", jobTitle: "Inspector <b>of parcels</b>", departureOn: "2027-06-01" });
    expect(res.status).toBe(400);
    expect(res.text).toContain("Enter your agency or organisation.");
    expect(res.text).toContain("Your departure cannot be before your arrival.");
    expect(res.text).toContain('value="Inspector &lt;b&gt;of parcels&lt;/b&gt;"');
    expect(res.text).toContain('value="2027-06-01"');
  });

  it("gives one registration for two submits at once, and the page then shows it", async () => {
    const { client, userId } = await signedIn();
    const answers = await Promise.all([client.post("/register", FORM), client.post("/register", FORM)]);
    expect(answers.map((res) => `${res.status} ${res.location}`)).toEqual(["302 /register", "302 /register"]);
    expect(await getDb().select({ status: registrations.status }).from(registrations).where(eq(registrations.userId, userId))).toEqual([{ status: "approved" }]);
    const page = await client.get("/register");
    expect(page.text).toContain("Approved");
  });

  it("takes its limits from the schema, keeps the directory choice after a refusal, and refuses an unknown intent", async () => {
    const { client } = await signedIn();
    const page = await client.get("/register");
    expect(page.text).toMatch(/<input[^>]*name="agency"[^>]*maxLength="200"/i);
    const refused = await client.post("/register", { ...FORM, jobTitle: "", directoryConsent: "on" });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain("Enter your job title.");
    expect(refused.text).toMatch(/<input[^>]*name="directoryConsent"[^>]*checked/);
    const unknown = await client.post("/register", { intent: "enrol" });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("Choose what to do.");
  });

  it("cancels behind a second step, and a second cancel says why it cannot", async () => {
    const { client } = await signedIn();
    expect((await client.post("/register", FORM)).status).toBe(302);
    const page = await client.get("/register");
    expect(page.text).toMatch(/<details class="confirm-action"><summary class="danger">Cancel my registration<\/summary>/);
    expect(page.text).toContain("Yes, cancel my registration");
    const cancelled = await client.post("/register", { intent: "cancel" });
    expect(`${cancelled.status} ${cancelled.location}`).toBe("302 /register");
    // The cancel form is gone from the page now, so its refusal shows at the top.
    const again = await client.post("/register", { intent: "cancel" });
    expect(again.status).toBe(409);
    expect(again.text).toContain("There is no open registration of yours to cancel.");
  });
});

describe("the organizers' export and the door", () => {
  it("exports CSV with formula cells escaped", async () => {
    await createRegistration(await createUser({ name: "@SUM(1+1)" }), conferenceId, "approved");
    const { client } = await signedIn({ roles: ["organizer"] });
    const res = await client.get("/admin/registrations.csv?q=SUM");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.text.split("\r\n")[1]).toMatch(/^'@SUM\(1\+1\),/);
  });

  it("takes a phone's queue as JSON, flags a badge used twice, and changes nothing when the queue is sent again", async () => {
    const person = await createRegistration(await createUser({ name: "Door Person" }), conferenceId, "approved");
    const { client } = await signedIn({ roles: ["organizer"] });
    const list = await client.get("/admin/check-in/scans");
    expect((JSON.parse(list.text) as { badges: { token: string; name: string }[] }).badges).toContainEqual(expect.objectContaining({ token: badgeToken(person.id), name: "Door Person" }));
    const scans = [
      { scanId: crypto.randomUUID(), code: badgeToken(person.id), scannedAt: "2027-06-07T12:00:00Z" },
      { scanId: crypto.randomUUID(), code: badgeToken(person.id), scannedAt: "2027-06-07T12:01:00Z" },
    ];
    const send = () => client.request("/admin/check-in/scans", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ scans }) });
    for (const res of [await send(), await send()]) {
      expect(res.status).toBe(200);
      expect((JSON.parse(res.text) as { results: { outcome: string }[] }).results.map((result) => result.outcome)).toEqual(["checked_in", "duplicate"]);
    }
  });
});
