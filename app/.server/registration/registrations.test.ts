import { eq, sql } from "drizzle-orm";
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { auditLog } from "#db/schema/audit.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { checkIns, registrationInvitations, registrations, registrationSettings } from "#db/schema/registration.ts";
import { validateSessionToken } from "../accounts/sessions.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { viewerOf } from "#tests/factories/agenda.ts";
import { createRegistration, createRegistrationConference, registrationForm, TEST_LINKS } from "#tests/factories/registration.ts";
import { ConflictError, ForbiddenError, InvalidError } from "../errors.ts";
import { getDirectory } from "./attendee.ts";
import { badgeToken, verifyBadgeToken } from "./badges.ts";
import { checkIn, getDoorList, syncScans } from "./check-in.ts";
import { cancelRegistration, getMyRegistration, submitRegistration, updateRegistration, type Registrant } from "./registrations.ts";
import { csvCell, decide, exportRegistrationsCsv, invite, revokeInvitation } from "./review.ts";

const registrant = (user: { id: string; email: string }, member = false): Registrant => ({ id: user.id, email: user.email, roles: member ? ["attendee", "member"] : ["attendee"] });

async function organizer() {
  return viewerOf(await createUser({ roles: ["organizer"] }), { mfaVerified: true });
}

describe("registering", () => {
  it("waits for the organizers by default; the answers are checked against the conference and the country list", async () => {
    await createRegistrationConference();
    const user = await createUser();
    const { registration } = await submitRegistration(registrant(user), registrationForm(), TEST_LINKS);
    expect(registration.status).toBe("submitted");
    await expect(updateRegistration(registrant(user), registrationForm({ country: "XX", arrivalOn: "2027-01-01" }))).rejects.toMatchObject({
      fieldErrors: { country: ["Choose your country from the list."], arrivalOn: ["Arrive between 2027-05-31 and 2027-06-11."] },
    });
    expect((await updateRegistration(registrant(user), registrationForm({ agency: "Customs" }))).agency).toBe("Customs");
  });

  it("keeps members-only categories for vetted members, and approves members at once in 'members' mode", async () => {
    await createRegistrationConference({ approval: "members", membersOnly: ["private_sector"] });
    const attendee = await createUser();
    const error = await submitRegistration(registrant(attendee), registrationForm({ category: "private_sector" }), TEST_LINKS).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as InvalidError).fieldErrors.category?.[0]).toMatch(/is for vetted members/);
    expect((await submitRegistration(registrant(attendee), registrationForm(), TEST_LINKS)).registration.status).toBe("submitted");
    const member = await createUser({ traits: ["verified", "member"] });
    expect((await submitRegistration(registrant(member, true), registrationForm({ category: "private_sector" }), TEST_LINKS)).registration.status).toBe("approved");
  });

  it("is refused while registration is closed, and cancelling is refused after the deadline", async () => {
    const conference = await createRegistrationConference({ approval: "open", changeDeadline: new Date(Date.now() - 60_000) });
    const user = await createUser();
    await createRegistration(user, conference.id, "approved");
    await expect(cancelRegistration(registrant(user), TEST_LINKS)).rejects.toBeInstanceOf(ConflictError);
    await getDb().execute(sql`update conferences set registration_state = 'closed' where id = ${conference.id}`);
    await expect(submitRegistration(registrant(await createUser()), registrationForm(), TEST_LINKS)).rejects.toMatchObject({ publicMessage: "Registration is not open." });
  });

  it("refuses changed answers after the organizers' change deadline, and keeps the stored ones", async () => {
    const conference = await createRegistrationConference({ approval: "open", changeDeadline: new Date(Date.now() + 3_600_000) });
    const user = await createUser();
    await submitRegistration(registrant(user), registrationForm({ agency: "Before" }), TEST_LINKS);
    expect((await updateRegistration(registrant(user), registrationForm({ agency: "In time" }))).agency).toBe("In time");

    await getDb().update(registrationSettings).set({ changeDeadline: new Date(Date.now() - 60_000) }).where(eq(registrationSettings.conferenceId, conference.id));
    const refused = await updateRegistration(registrant(user), registrationForm({ agency: "Too late" })).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).publicMessage).toMatch(/^The deadline to change your registration has passed\. Write to /);
    const [stored] = await getDb().select({ agency: registrations.agency }).from(registrations).where(eq(registrations.userId, user.id));
    expect(stored).toEqual({ agency: "In time" });
  });

  it("an approval mails the conference as a valid iCalendar attachment and makes the person an attendee in their next session check", async () => {
    const conference = await createRegistrationConference({ capacity: 5 });
    const user = await createUser();
    const { registration } = await submitRegistration(registrant(user), registrationForm(), TEST_LINKS);
    const { token } = await createUserSession(user.id);
    const before = await validateSessionToken(token);
    expect(before.valid && before.viewer.access.attending).toEqual([]);

    const outcome = await decide(await organizer(), { intent: "approve", ids: [registration.id] }, TEST_LINKS);
    expect(outcome).toEqual({ approved: 1, waitlisted: 0, declined: 0, unchanged: 0 });
    const after = await validateSessionToken(token);
    expect(after.valid && after.viewer.access.attending).toEqual([conference.id]);

    const [mail] = await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, user.email));
    expect(mail!.subject).toBe(`You are registered: ${conference.name}`);
    const calendar = new ICAL.Component(ICAL.parse(mail!.attachments[0]!.content));
    const event = new ICAL.Event(calendar.getFirstSubcomponent("vevent")!);
    expect([event.summary, event.startDate.toString(), event.endDate.toString()]).toEqual([conference.name, "2027-06-07", "2027-06-12"]);
    const entries = await getDb().select({ action: auditLog.action, subjectId: auditLog.subjectId }).from(auditLog).where(eq(auditLog.subjectId, registration.id));
    expect(entries).toEqual([{ action: "registration.approved", subjectId: registration.id }]);
  });
});

describe("organizer decisions", () => {
  it("approves in bulk while seats last and waitlists the rest; declining a seated one promotes the waitlist", async () => {
    const conference = await createRegistrationConference({ capacity: 2 });
    const people = await Promise.all([1, 2, 3].map(() => createUser()));
    const ids: string[] = [];
    for (const user of people) ids.push((await submitRegistration(registrant(user), registrationForm(), TEST_LINKS)).registration.id);
    const actor = await organizer();
    expect(await decide(actor, { intent: "approve", ids }, TEST_LINKS)).toEqual({ approved: 2, waitlisted: 1, declined: 0, unchanged: 0 });
    expect(await decide(actor, { intent: "decline", ids: [ids[0]!], reason: "Not a law-enforcement role." }, TEST_LINKS)).toEqual({ approved: 0, waitlisted: 0, declined: 1, unchanged: 0 });
    const rows = await getDb().select({ id: registrations.id, status: registrations.status, reason: registrations.decisionReason }).from(registrations).where(eq(registrations.conferenceId, conference.id));
    expect(Object.fromEntries(rows.map((row) => [row.id, row.status]))).toEqual({ [ids[0]!]: "declined", [ids[1]!]: "approved", [ids[2]!]: "approved" });
    expect(rows.find((row) => row.id === ids[0])!.reason).toBe("Not a law-enforcement role.");
    const [ledger] = await getDb().select().from(registrationSettings).where(eq(registrationSettings.conferenceId, conference.id));
    expect(ledger!.seatsTaken).toBe(2);
  });

  it("needs the permission, whatever the route did", async () => {
    await createRegistrationConference();
    const attendee = await viewerOf(await createUser());
    await expect(decide(attendee, { intent: "approve", ids: ["00000000-0000-4000-8000-000000000000"] }, TEST_LINKS)).rejects.toMatchObject({ status: 403 });
  });

  it("exports CSV with formula cells escaped", async () => {
    const conference = await createRegistrationConference();
    await createRegistration(await createUser({ name: "=HYPERLINK(\"http://evil\")" }), conference.id, "approved", { agency: "+1 Agency", jobTitle: "@boss", dietaryNeeds: "-none, \"really\"" });
    const csv = await exportRegistrationsCsv(await organizer(), { q: "", status: "", category: "" });
    const lines = csv.trimEnd().split("\r\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^"'=HYPERLINK\(""http:\/\/evil""\)",user-[0-9a-f]+@agency\.example,approved,us_federal,'\+1 Agency,'@boss,US,2027-06-06,2027-06-11,"'-none, ""really""",,yes,/);
    expect([csvCell("-1"), csvCell("\tx"), csvCell("plain"), csvCell(null)]).toEqual(["'-1", "'\tx", "plain", ""]);
  });
});

describe("invitations", () => {
  it("hold a seat, skip moderation for the invited address only, and give the seat back when revoked", async () => {
    const conference = await createRegistrationConference({ capacity: 2 });
    const actor = await organizer();
    const guest = await createUser({ email: `guest-${Date.now()}@agency.example` });
    await invite(actor, guest.email, TEST_LINKS);
    await invite(actor, "other@agency.example", TEST_LINKS);
    await expect(invite(actor, "third@agency.example", TEST_LINKS)).rejects.toBeInstanceOf(ConflictError);
    const [mail] = await getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, guest.email));
    const token = /invitation=([a-z0-9]+)/.exec(mail!.textBody)![1]!;

    const stranger = await createUser();
    await expect(submitRegistration(registrant(stranger), registrationForm(), TEST_LINKS, { invitationToken: token })).rejects.toBeInstanceOf(ForbiddenError);
    const { registration } = await submitRegistration(registrant(guest), registrationForm(), TEST_LINKS, { invitationToken: token });
    expect(registration.status).toBe("approved");
    await expect(submitRegistration(registrant(guest), registrationForm(), TEST_LINKS, { invitationToken: token })).rejects.toBeInstanceOf(ConflictError);

    const [other] = await getDb().select().from(registrationInvitations).where(eq(registrationInvitations.email, "other@agency.example"));
    await revokeInvitation(actor, other!.id, TEST_LINKS);
    const [ledger] = await getDb().select().from(registrationSettings).where(eq(registrationSettings.conferenceId, conference.id));
    expect(ledger!.seatsTaken).toBe(1);
  });
});

describe("badges and check-in", () => {
  it("a badge's code names its registration and cannot be forged or altered", async () => {
    const id = "6f1c2a9e-7d3b-4c8a-9e21-0b5d4f3a2c1e";
    const token = badgeToken(id);
    expect(token).toMatch(/^B1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    expect(verifyBadgeToken(token)).toBe(id);
    const other = badgeToken("6f1c2a9e-7d3b-4c8a-9e21-0b5d4f3a2c1f");
    expect(verifyBadgeToken(`${token.slice(0, 26)}${other.slice(26)}`)).toBeNull();
    expect(verifyBadgeToken(`${other.slice(0, 26)}${token.slice(26)}`)).toBeNull();
    expect(verifyBadgeToken("B1.x.y")).toBeNull();
  });

  it("admits an approved badge once and refuses forged, cancelled, declined and used ones clearly", async () => {
    const conference = await createRegistrationConference();
    const staff = await organizer();
    const [approved, cancelled, declined] = await Promise.all(["approved", "cancelled", "declined"].map(async (status) => createRegistration(await createUser({ name: `Person ${status}` }), conference.id, status as never)));
    const scan = (code: string) => checkIn(staff, { scanId: crypto.randomUUID(), code });
    expect(await scan(badgeToken(approved!.id))).toMatchObject({ outcome: "checked_in", name: "Person approved" });
    expect(await scan(badgeToken(approved!.id))).toMatchObject({ outcome: "duplicate", message: expect.stringMatching(/^Already used: Person approved was checked in at/) });
    expect(await scan(badgeToken(cancelled!.id))).toMatchObject({ outcome: "refused", message: expect.stringMatching(/^Registration cancelled: do not admit/) });
    expect(await scan(badgeToken(declined!.id))).toMatchObject({ outcome: "refused", message: expect.stringMatching(/^Registration declined: do not admit/) });
    expect(await scan(`${badgeToken(approved!.id).slice(0, -2)}AA`)).toMatchObject({ outcome: "refused", message: expect.stringMatching(/^Not a badge of this conference/) });
  });

  it("takes an offline phone's queue: a badge used twice meanwhile is flagged, and a resent queue changes nothing", async () => {
    const conference = await createRegistrationConference();
    const staff = await organizer();
    const person = await createRegistration(await createUser({ name: "Queued Person" }), conference.id, "approved");
    const door = await getDoorList(staff);
    expect(door.badges.map((badge) => badge.token)).toEqual([badgeToken(person.id)]);
    const queue = [
      { scanId: crypto.randomUUID(), code: badgeToken(person.id), scannedAt: new Date("2027-06-07T12:00:00Z") },
      { scanId: crypto.randomUUID(), code: badgeToken(person.id), scannedAt: new Date("2027-06-07T12:05:00Z") },
    ];
    const first = await syncScans(staff, queue);
    expect(first.map((result) => result.outcome)).toEqual(["checked_in", "duplicate"]);
    // The answer was lost and the phone sends its queue again, twice at once.
    const again = await Promise.all([syncScans(staff, queue), syncScans(staff, queue)]);
    expect(again.map((results) => results.map((result) => result.outcome))).toEqual([["checked_in", "duplicate"], ["checked_in", "duplicate"]]);
    const [row] = await getDb().select().from(registrations).where(eq(registrations.id, person.id));
    expect([row!.status, row!.checkedInAt?.toISOString()]).toEqual(["checked_in", "2027-06-07T12:00:00.000Z"]);
    expect(await getDb().select({ outcome: checkIns.outcome, offline: checkIns.offline }).from(checkIns).where(eq(checkIns.registrationId, person.id)).orderBy(checkIns.id)).toEqual([
      { outcome: "checked_in", offline: true },
      { outcome: "duplicate", offline: true },
    ]);
  });
});

describe("the attendee's own pages", () => {
  it("shows the waitlist place, and the directory lists consenting seated attendees to attendees only", async () => {
    await createRegistrationConference({ capacity: 1, approval: "open" });
    const [a, b, c] = await Promise.all([createUser({ name: "Alma Listed" }), createUser({ name: "Bo Private" }), createUser({ name: "Cy Waiting" })]);
    await submitRegistration(registrant(a), registrationForm({ directoryConsent: true }), TEST_LINKS);
    await submitRegistration(registrant(b), registrationForm({ directoryConsent: false }), TEST_LINKS);
    await submitRegistration(registrant(c), registrationForm({ directoryConsent: true }), TEST_LINKS);
    expect((await getMyRegistration(c)).waitlistPosition).toBe(2);
    const viewerA = await viewerOf(a);
    expect((await getDirectory(viewerA)).people).toEqual([{ name: "Alma Listed", agency: "Postal Inspection Service", country: "United States of America" }]);
    await expect(getDirectory(await viewerOf(c))).rejects.toBeInstanceOf(ForbiddenError);
  });
});
