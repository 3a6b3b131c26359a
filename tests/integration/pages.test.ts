/**
 * Pages people can use, over HTTP against the production build: error pages with their own titles and a way on,
 * forms that keep what was typed and say what is wrong where, notices that are shown once, the texts the vetting
 * pages got wrong, and the admin's page of one user.
 */
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getDb } from "#db/client.ts";
import { sessions, users } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { decideApplication } from "#app/.server/vetting/review.ts";
import { replyToInformationRequest } from "#app/.server/vetting/applications.ts";
import { createUser, createUserSession, FACTORY_PASSWORD } from "#tests/factories/accounts.ts";
import { createRegistrationConference } from "#tests/factories/registration.ts";
import { createApplication, FACTORY_ORIGIN } from "#tests/factories/vetting.ts";
import { startTestApp, type TestApp, type TestClient } from "#tests/support/app.ts";
import { errorSummary, field, formAlert, notices, textareaValue } from "#tests/support/html.ts";
import { config } from "#app/.server/config.ts";
import { ROLE_PERMISSIONS } from "#app/.server/accounts/permissions.ts";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.close();
});

async function signedIn(user: { id: string }, mfaVerified = false): Promise<TestClient> {
  const client = app.client();
  client.cookies.set("liaison_session", (await createUserSession(user.id, { mfaVerified })).token);
  return client;
}

function title(html: string): string | undefined {
  return /<title>([^<]*)<\/title>/.exec(html)?.[1];
}

function plain(html: string): string {
  return html
    .replace(/<!-- -->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&rsquo;/g, "’")
    .replace(/\s+/g, " ");
}

describe("error pages", () => {
  test("a missing page answers 404 with its own title, text and a way on", async () => {
    const res = await app.client().get("/no/such/page");
    expect(res.status).toBe(404);
    expect(title(res.text)).toBe("Page not found · Liaison");
    expect(plain(res.text)).toContain("There is no page at this address.");
    expect(res.text).toContain('href="/agenda"');
  });

  test("a missing row answers 404 with the domain's message", async () => {
    const admin = await signedIn(await createUser({ roles: ["admin"] }), true);
    const res = await admin.get("/admin/users/00000000-0000-4000-8000-000000000009");
    expect(res.status).toBe(404);
    expect(title(res.text)).toBe("Page not found · Liaison");
    expect(plain(res.text)).toContain("There is no such account.");
  });

  test("a page the viewer may not open answers 403 with its own title, who they are and whom to ask", async () => {
    const attendee = await signedIn(await createUser({ name: "Ada Attendee" }));
    const res = await attendee.get("/admin");
    expect(res.status).toBe(403);
    expect(title(res.text)).toBe("You cannot open this page · Liaison");
    const page = plain(res.text);
    expect(page).toContain("You are signed in as Ada Attendee.");
    expect(res.text).toContain(`href="mailto:${config().organizersEmail}"`);
  });

  test("an attendee on the board learns about vetting and where their application stands", async () => {
    const applicant = await createUser();
    await createApplication(applicant);
    const res = await (await signedIn(applicant)).get("/forum");
    expect(res.status).toBe(403);
    expect(title(res.text)).toBe("For vetted members · Liaison");
    const page = plain(res.text);
    expect(page).toContain("open to vetted members");
    expect(page).toContain("Your application is with the organizers");
    expect(res.text).toContain('href="/vetting"');
  });

  test("an attendee who has not applied is invited to apply; an unverified account is sent to verify first", async () => {
    const directory = await (await signedIn(await createUser())).get("/members");
    expect(directory.status).toBe(403);
    expect(plain(directory.text)).toContain("You have not applied yet. Apply for vetting");

    const unverified = await (await signedIn(await createUser({ traits: [] }))).get("/forum");
    expect(unverified.status).toBe(403);
    expect(plain(unverified.text)).toContain("First verify your email address");
    expect(unverified.text).toContain('href="/verify-email"');
  });
});

describe("forms", () => {
  test("a refused form answers 400, keeps what was typed (never the password) and says what is wrong at the top and at each field", async () => {
    const res = await app.client().post("/signup", {
      name: "Renée Ortiz-Castellanos",
      email: "not an address",
      agency: "",
      jobTitle: "Inspector",
      country: "US",
      password: "short",
    });
    expect(res.status).toBe(400);
    expect(errorSummary(res.text)).toEqual([
      "Enter your agency.",
      "Enter a valid email address.",
      "Use at least 12 characters.",
      "This password is too common or has appeared in a breach; choose another.",
    ]);
    expect(res.text).toContain('<a href="#form-email">Enter a valid email address.</a>');
    expect(field(res.text, "form-name")).toMatchObject({ value: "Renée Ortiz-Castellanos", maxlength: "120", required: "", dir: "auto" });
    expect(field(res.text, "form-jobTitle")).toMatchObject({ value: "Inspector" });
    expect(field(res.text, "form-email")).toMatchObject({ value: "not an address", "aria-invalid": "true", "aria-describedby": "form-email-error" });
    expect(field(res.text, "form-password")).not.toHaveProperty("value");
    expect(field(res.text, "form-password")).toMatchObject({ minlength: "12", maxlength: "128", "aria-describedby": "form-password-hint form-password-error" });
    expect(res.text).toContain('<p class="field-error" id="form-agency-error">Enter your agency.</p>');
  });

  test("the limits on a form come from its schema before anything is sent", async () => {
    const res = await app.client().get("/signup");
    expect(errorSummary(res.text)).toBeNull();
    expect(field(res.text, "form-agency")).toMatchObject({ maxlength: "160", required: "" });
    expect(field(res.text, "form-email")).toMatchObject({ maxlength: "254", required: "" });
  });

  test("a refusal by the domain (a wrong password) lands on the form with its status", async () => {
    const user = await createUser();
    const res = await app.client().post("/login", { email: user.email, password: "not the password at all", redirectTo: "" });
    expect(res.status).toBe(401);
    expect(formAlert(res.text)).toBe("The email address or password is not correct.");
    expect(field(res.text, "form-email")).toMatchObject({ value: user.email });
  });

  test("of a page's several forms, only the one sent shows the messages", async () => {
    const client = await signedIn(await createUser());
    const res = await client.post("/account/security", { intent: "email", email: "", currentPassword: "" });
    expect(res.status).toBe(400);
    expect(errorSummary(res.text)).toEqual(["Enter your current password.", "Enter your email address."]);
    expect(res.text).toContain('href="#email-email"');
    expect(field(res.text, "password-currentPassword")).not.toHaveProperty("aria-invalid");
  });

  test("a one-time notice shows after the redirect and not on a reload", async () => {
    const user = await createUser();
    const client = await signedIn(user);
    const changed = await client.post("/account/security", {
      intent: "password",
      currentPassword: FACTORY_PASSWORD,
      password: "a completely new passphrase",
      confirm: "a completely new passphrase",
    });
    expect([changed.status, changed.location]).toEqual([302, "/account/security"]);
    const shown = await client.follow();
    expect(notices(shown.text)).toEqual(["Your password was changed. Every other session was signed out; this browser stays signed in."]);
    const reloaded = await client.get("/account/security");
    expect(notices(reloaded.text)).toEqual([]);
  });

  test("registering redirects to a notice that shows once, not on a reload", async () => {
    await createRegistrationConference({ approval: "open" });
    const client = await signedIn(await createUser());
    const registered = await client.post("/register", {
      intent: "register",
      category: "us_federal",
      agency: "Postal Inspection Service",
      jobTitle: "Inspector",
      country: "US",
      arrivalOn: "2027-06-06",
      departureOn: "2027-06-11",
    });
    expect([registered.status, registered.location]).toEqual([302, "/register"]);
    const shown = await client.follow();
    expect(notices(shown.text)).toEqual(["Thank you: your registration is in. We sent you a mail."]);
    const reloaded = await client.get("/register");
    expect(notices(reloaded.text)).toEqual([]);
    expect(plain(reloaded.text)).toContain("Approved");
  });
});

describe("the texts of the vetting pages", () => {
  test("the two addresses of the application have their own messages, and the reason's minimum shows before a failure", async () => {
    const client = await signedIn(await createUser());
    const form = await client.get("/vetting");
    expect(plain(form.text)).toContain("At least 20 characters: your role");
    expect(field(form.text, "apply-reason")).toMatchObject({ minlength: "20", maxlength: "4000", required: "" });

    const refused = await client.post("/vetting", { intent: "apply", agency: "DEA", officialEmail: "", sponsorName: "Pat", sponsorEmail: "", reason: "Short." });
    expect(refused.status).toBe(400);
    expect(errorSummary(refused.text)).toEqual([
      "Enter your official email address.",
      "Enter your supervisor's or sponsor's email address.",
      "Tell us in a sentence or two (at least 20 characters) why you want to join.",
    ]);
    expect(textareaValue(refused.text, "apply-reason")).toBe("Short.");
  });

  test("the history names every step in words and hangs the applicant's answer on their answer", async () => {
    const organizer = await createUser({ roles: ["organizer"] });
    const applicant = await createUser();
    const { applicationId } = await createApplication(applicant);
    const actor = { id: organizer.id, permissions: new Set(ROLE_PERMISSIONS.organizer) };
    await decideApplication(actor, applicationId, { intent: "request_info", question: "Who is your sponsor's supervisor?" }, FACTORY_ORIGIN);
    await replyToInformationRequest(applicant.id, { applicationId, reply: "Dana Whitfield, head of the field office." }, null);
    await decideApplication(actor, applicationId, { intent: "approve" }, FACTORY_ORIGIN);

    const res = await (await signedIn(organizer, true)).get(`/admin/vetting/${applicationId}`);
    expect(res.status).toBe(200);
    const history = /<ol>([\s\S]*?)<\/ol>/.exec(res.text.slice(res.text.indexOf('id="history-title"')))![1]!;
    expect(history).not.toContain("vetting.");
    const steps = [...history.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((item) => plain(item[1]!).trim());
    expect(steps.map((step) => step.replace(/^.*? UTC : /, "").split(" by ")[0]!.trim())).toEqual([
      "Applied for vetting",
      "Asked the applicant a question",
      "Applicant answered",
      "Application approved",
    ]);
    expect(steps[2]).toMatch(/Applicant's answer: Dana Whitfield, head of the field office\./);
    expect(steps[3]).not.toContain("Dana Whitfield");
  });

  test("an unverified account is not offered pages that would only send it back", async () => {
    const res = await (await signedIn(await createUser({ traits: [] }))).get("/account");
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('href="/vetting"');
    expect(res.text).not.toContain('href="/account/mfa"');
    expect(res.text).toContain('href="/verify-email"');
  });

  test("a suspended account is told where to write", async () => {
    const user = await createUser({ traits: ["verified", "suspended"] });
    const res = await app.client().post("/login", { email: user.email, password: FACTORY_PASSWORD, redirectTo: "" });
    expect(res.status).toBe(403);
    expect(formAlert(res.text)).toBe(`This account is suspended. To ask why, or to appeal, write to the organizers at ${config().organizersEmail}.`);
    expect(res.text).toContain(`href="mailto:${config().organizersEmail}"`);
  });
});

describe("an admin's page of one user", () => {
  test("shows roles, sessions, standing and applications, with a confirmation step before each consequential action", async () => {
    const admin = await createUser({ roles: ["admin"] });
    const person = await createUser({ name: "Sam Speaker", roles: ["speaker"] });
    await createApplication(person);
    await createUserSession(person.id);
    await createUserSession(person.id);
    const client = await signedIn(admin, true);

    const res = await client.get(`/admin/users/${person.id}`);
    expect(res.status).toBe(200);
    const page = plain(res.text);
    expect(title(res.text)).toBe("Sam Speaker · Users · Liaison");
    expect(page).toMatch(/Speaker\s*:\s*uploads slides and materials for their sessions/);
    expect(page).toContain("Sessions (2)");
    expect(page).toContain("Vetting applications (1)");
    expect(page).toContain("Under review: sent on");
    // Each consequential action is behind a second click.
    for (const confirm of ["Yes, revoke Speaker", "Yes, grant it", "Yes, end 2 sessions"]) {
      expect(res.text).toMatch(new RegExp(`<details class="confirm-action">[\\s\\S]*?${confirm}`));
    }

    const granted = await client.post(`/admin/users/${person.id}`, { intent: "grant", role: "organizer" });
    expect(granted.status).toBe(200);
    expect(notices(granted.text)).toEqual(["The Organizer role is granted; the account holder was told by mail. To undo, revoke it below."]);
    const [after] = await getDb().select({ roles: users.roles }).from(users).where(eq(users.id, person.id));
    expect(after!.roles).toEqual(["speaker", "organizer"]);

    const ended = await client.post(`/admin/users/${person.id}`, { intent: "end-sessions" });
    expect(notices(ended.text)).toEqual(["Ended 2 sessions: the account must sign in again."]);
    const [left] = await getDb().select({ n: sql<number>`count(*)::int` }).from(sessions).where(eq(sessions.userId, person.id));
    expect(Number(left!.n)).toBe(0);

    const refused = await client.post(`/admin/users/${person.id}`, { intent: "suspend", reason: "" });
    expect(refused.status).toBe(400);
    expect(errorSummary(refused.text)).toEqual(["Give the reason for the suspension."]);
    expect(await client.post(`/admin/users/${person.id}`, { intent: "suspend", reason: "Shared the member list outside the board." })).toMatchObject({ status: 200 });
    const reinstated = await client.post(`/admin/users/${person.id}`, { intent: "reinstate" });
    expect(notices(reinstated.text)).toEqual(["Reinstated: the account can sign in again and was told by mail."]);
    const [standing] = await getDb().select({ status: users.status }).from(users).where(eq(users.id, person.id));
    expect(standing!.status).toBe("active");
  });

  test("the sessions table is the owner's and the admins' one table: the owner sees this device, an admin the second factor", async () => {
    const admin = await createUser({ roles: ["admin"] });
    const person = await createUser();
    await createUserSession(person.id, { mfaVerified: true });
    const owner = plain((await (await signedIn(person)).get("/account/security")).text);
    expect(owner).toContain("Active sessions, most recently used first Browser Signed in Last seen IP address vitest This device");
    expect(owner).not.toContain("Second factor");
    const managed = plain((await (await signedIn(admin, true)).get(`/admin/users/${person.id}`)).text);
    expect(managed).toContain("Where the account is signed in, most recently used first Browser Signed in Last seen IP address Second factor");
    expect(managed).not.toContain("This device");
    expect(managed.match(/127\.0\.0\.1 (Passed|Not passed)/g)?.sort()).toEqual(["127.0.0.1 Not passed", "127.0.0.1 Passed"]);
  });

  test("the audit log tells what happened in sentences with labels, not codes and JSON", async () => {
    const admin = await createUser({ roles: ["admin"], email: `auditor-${Date.now()}@agency.example` });
    const person = await createUser({ email: `subject-${Date.now()}@agency.example` });
    const client = await signedIn(admin, true);
    await client.post(`/admin/users/${person.id}`, { intent: "grant", role: "moderator" });
    const [entry] = await getDb().select().from(auditLog).where(and(eq(auditLog.action, "role.granted"), eq(auditLog.subjectId, person.id)));
    expect(entry).toBeDefined();

    const res = await client.get(`/admin/audit?subject=${person.id}`);
    expect(res.status).toBe(200);
    const table = /<table>[\s\S]*<\/table>/.exec(res.text)![0];
    const page = plain(table);
    expect(page).toContain(`Role granted. ${admin.email} granted a role to ${person.email}.`);
    expect(page).toMatch(/Role\s+Moderator/);
    expect(table).not.toContain("role.granted");
    expect(table).not.toContain("{&quot;role");
  });
});
