import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { recoveryCodes, sessions, totpCredentials, userTokens, users } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { vettingApplications, vettingVouches } from "#db/schema/vetting.ts";
import { createUser, createUserSession, FACTORY_PASSWORD } from "#tests/factories/accounts.ts";
import { TEST_LINKS } from "#tests/factories/registration.ts";
import { readSessionToken } from "./cookies.ts";
import {
  changePassword,
  confirmEmailChange,
  deleteAccount,
  describeUserAgent,
  endOtherSessions,
  exportAccount,
  getAccount,
  requestEmailChange,
  updateProfile,
} from "./profile.ts";
import { ProfileFieldsSchema } from "./schemas.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { getApplicationForReview } from "../vetting/review.ts";
import { deriveRoles, permissionsOf } from "./permissions.ts";
import type { RequestOrigin } from "./site-url.ts";
import { validateSessionToken } from "./sessions.ts";

const origin: RequestOrigin = { ip: "203.0.113.7", link: (path) => `http://liaison.test${path}` };
const NEW_PASSWORD = "a much longer new passphrase";

async function auditOf(userId: string, action: string) {
  return getDb()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.subjectId, userId), eq(auditLog.action, action)));
}

async function mailsTo(address: string) {
  return getDb().select().from(mailOutbox).where(eq(mailOutbox.toAddress, address)).orderBy(mailOutbox.id);
}

function tokenIn(text: string): string | undefined {
  return text.match(/token=([a-z2-7]{32})/)?.[1];
}

describe("profile", () => {
  it("validates the fields", () => {
    const result = ProfileFieldsSchema.safeParse({ name: " ", agency: "x".repeat(161), jobTitle: "Officer", country: "XX" });
    expect(result.success).toBe(false);
    const fields = result.error?.issues.map((issue) => issue.path[0]).sort();
    expect(fields).toEqual(["agency", "country", "name"]);
  });

  it("saves the profile and records what changed, once", async () => {
    const user = await createUser();
    const input = ProfileFieldsSchema.parse({ name: "  Nadia Newname ", agency: "Test Agency", jobTitle: "Inspector", country: "CA" });
    expect(await updateProfile(user.id, input, origin.ip)).toEqual({ changed: ["name", "jobTitle", "country"] });
    const account = await getAccount(user.id);
    expect(account).toMatchObject({ name: "Nadia Newname", agency: "Test Agency", jobTitle: "Inspector", country: "CA", mfaEnrolled: false });
    expect(account?.effectiveRoles).toEqual(["attendee"]);
    // The same values again: nothing to record.
    expect(await updateProfile(user.id, input, origin.ip)).toEqual({ changed: [] });
    const entries = await auditOf(user.id, "account.profile_updated");
    expect(entries).toHaveLength(1);
    expect(entries[0]?.details).toEqual({ fields: ["name", "jobTitle", "country"] });
  });
});

describe("changing the password", () => {
  it("refuses a wrong current password and changes nothing", async () => {
    const user = await createUser();
    const here = await createUserSession(user.id);
    const result = await changePassword({
      userId: user.id,
      currentPassword: "not the password",
      newPassword: NEW_PASSWORD,
      mfaVerified: false,
      ip: null,
      userAgent: null,
    });
    expect(result).toEqual({ ok: false, field: "currentPassword", message: "That password is not correct.", throttled: false });
    expect((await validateSessionToken(here.token)).valid).toBe(true);
    const [after] = await getDb().select().from(users).where(eq(users.id, user.id));
    expect(after?.passwordHash).toBe(user.passwordHash);
  });

  it("throttles repeated wrong passwords", async () => {
    const user = await createUser();
    const attempt = () =>
      changePassword({ userId: user.id, currentPassword: "wrong", newPassword: NEW_PASSWORD, mfaVerified: false, ip: null, userAgent: null });
    for (let i = 0; i < 5; i += 1) await attempt();
    const result = await attempt();
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/Too many wrong passwords/);
  });

  it("ends every session, opens a fresh one for this browser with its MFA state, and mails a notice", async () => {
    const user = await createUser({ traits: ["verified", "member"] });
    const here = await createUserSession(user.id, { mfaVerified: true });
    const elsewhere = await createUserSession(user.id, { mfaVerified: true });
    const result = await changePassword({
      userId: user.id,
      currentPassword: FACTORY_PASSWORD,
      newPassword: NEW_PASSWORD,
      mfaVerified: true,
      ip: "198.51.100.1",
      userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect((await validateSessionToken(here.token)).valid).toBe(false);
    expect((await validateSessionToken(elsewhere.token)).valid).toBe(false);

    const token = readSessionToken(result.cookie);
    expect(token).toMatch(/^[a-z2-7]{32}$/);
    // A member's cookie ends with the browser.
    expect(result.cookie).not.toMatch(/Max-Age/i);
    const check = await validateSessionToken(token!);
    expect(check.valid).toBe(true);
    if (!check.valid) return;
    expect(check.viewer.id).toBe(user.id);
    expect(check.viewer.session.mfaVerified).toBe(true);
    expect(await getDb().select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(1);

    expect(await auditOf(user.id, "account.password_changed")).toHaveLength(1);
    expect((await mailsTo(user.email)).map((mail) => mail.subject)).toEqual(["Your Liaison password was changed"]);
  });

  it("gives an attendee a persistent cookie and keeps an unverified second factor unverified", async () => {
    const user = await createUser();
    const result = await changePassword({
      userId: user.id,
      currentPassword: FACTORY_PASSWORD,
      newPassword: NEW_PASSWORD,
      mfaVerified: false,
      ip: null,
      userAgent: null,
    });
    expect(result.ok && result.cookie).toMatch(/Max-Age=\d+/);
    const check = await validateSessionToken(readSessionToken(result.ok ? result.cookie : "")!);
    expect(check.valid && check.viewer.session.mfaVerified).toBe(false);
  });

  it("refuses a new password equal to the current one", async () => {
    const user = await createUser();
    const result = await changePassword({
      userId: user.id,
      currentPassword: FACTORY_PASSWORD,
      newPassword: FACTORY_PASSWORD,
      mfaVerified: false,
      ip: null,
      userAgent: null,
    });
    expect(result).toMatchObject({ ok: false, field: "password" });
  });
});

describe("changing the address", () => {
  it("mails a link to the new address and a notice to the old, and changes the address only on confirmation", async () => {
    const user = await createUser({ traits: [] });
    const newEmail = `moved-${user.id.slice(0, 8)}@agency.example`;
    expect(await requestEmailChange({ userId: user.id, currentPassword: FACTORY_PASSWORD, newEmail }, origin)).toEqual({ ok: true });

    const [link] = await mailsTo(newEmail);
    expect(link?.subject).toBe("Confirm your new address for Liaison");
    expect(link?.textBody).toContain("http://liaison.test/account/email/confirm?token=");
    const [notice] = await mailsTo(user.email);
    expect(notice?.textBody).toContain(newEmail);
    expect(tokenIn(notice!.textBody)).toBeUndefined();

    const [unchanged] = await getDb().select().from(users).where(eq(users.id, user.id));
    expect(unchanged?.email).toBe(user.email);

    const token = tokenIn(link!.textBody)!;
    expect(await confirmEmailChange(token, origin.ip)).toEqual({ status: "changed", email: newEmail });
    const [changed] = await getDb().select().from(users).where(eq(users.id, user.id));
    expect(changed?.email).toBe(newEmail);
    expect(changed?.emailVerifiedAt).toBeInstanceOf(Date);
    const [entry] = await auditOf(user.id, "account.email_changed");
    expect(entry?.details).toEqual({ from: user.email, to: newEmail });
    // The export holds the account's mail, at whichever address it then had.
    const exported = await exportAccount(user.id, null);
    expect(new Set(exported.mail.map((mail) => mail.to))).toEqual(new Set([newEmail, user.email]));

    // The link works once.
    expect(await confirmEmailChange(token, origin.ip)).toEqual({ status: "invalid" });
  });

  it("needs the current password", async () => {
    const user = await createUser();
    const result = await requestEmailChange({ userId: user.id, currentPassword: "wrong", newEmail: "elsewhere@agency.example" }, origin);
    expect(result).toMatchObject({ ok: false, field: "currentPassword" });
    expect(await mailsTo("elsewhere@agency.example")).toHaveLength(0);
  });

  it("does not reveal an address that has an account: same answer, a 'someone tried' notice and no link", async () => {
    const user = await createUser();
    const other = await createUser();
    const result = await requestEmailChange({ userId: user.id, currentPassword: FACTORY_PASSWORD, newEmail: other.email }, origin);
    expect(result).toEqual({ ok: true });
    const mails = await mailsTo(other.email);
    expect(mails.map((mail) => mail.subject)).toEqual(["Someone tried to move a Liaison account to your address"]);
    expect(tokenIn(mails[0]!.textBody)).toBeUndefined();
    expect(await mailsTo(user.email)).toHaveLength(1);
    expect(await getDb().select().from(userTokens).where(eq(userTokens.userId, user.id))).toHaveLength(0);
  });

  it("refuses on confirmation an address taken since the link was sent", async () => {
    const user = await createUser();
    const newEmail = `late-${user.id.slice(0, 8)}@agency.example`;
    await requestEmailChange({ userId: user.id, currentPassword: FACTORY_PASSWORD, newEmail }, origin);
    const token = tokenIn((await mailsTo(newEmail))[0]!.textBody)!;
    await createUser({ email: newEmail });
    expect(await confirmEmailChange(token, null)).toEqual({ status: "taken" });
    const [after] = await getDb().select().from(users).where(eq(users.id, user.id));
    expect(after?.email).toBe(user.email);
  });

  it("refuses the current address", async () => {
    const user = await createUser();
    const result = await requestEmailChange({ userId: user.id, currentPassword: FACTORY_PASSWORD, newEmail: user.email }, origin);
    expect(result).toMatchObject({ ok: false, field: "email" });
  });
});

describe("sessions", () => {
  it("shortens user agents to a browser and a system", () => {
    expect(describeUserAgent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0")).toBe("Edge on Windows");
    expect(describeUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")).toBe("Safari on iOS");
    expect(describeUserAgent("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36")).toBe("Chrome on Android");
    expect(describeUserAgent("curl/8.5.0")).toBe("curl");
    expect(describeUserAgent(null)).toBe("Unknown browser");
  });

  it("signs out everywhere else, once", async () => {
    const user = await createUser();
    const here = await createUserSession(user.id);
    const there = await createUserSession(user.id);
    expect(await endOtherSessions(user.id, here.sessionId, null)).toEqual({ ended: 1 });
    expect((await validateSessionToken(here.token)).valid).toBe(true);
    expect((await validateSessionToken(there.token)).valid).toBe(false);
    expect(await endOtherSessions(user.id, here.sessionId, null)).toEqual({ ended: 0 });
    expect(await auditOf(user.id, "auth.sessions_ended")).toHaveLength(1);
  });
});

describe("export", () => {
  it("holds every kind of data about the account and no secret", async () => {
    const user = await createUser({ traits: ["verified", "member"], roles: ["speaker"] });
    const voucher = await createUser({ traits: ["verified", "member"], name: "Vic Voucher" });
    const applicant = await createUser({ name: "Ann Applicant" });
    const session = await createUserSession(user.id, { mfaVerified: true });
    await getDb().insert(totpCredentials).values({ userId: user.id, sealedKey: "SEALED-KEY-MATERIAL" });
    await getDb().insert(recoveryCodes).values({ userId: user.id, codeHash: "RECOVERY-CODE-HASH" });
    const [application] = await getDb()
      .insert(vettingApplications)
      .values({ userId: user.id, agency: "Test Agency", officialEmail: "me@agency.gov", sponsorName: "Sue", sponsorEmail: "sue@agency.gov", reason: "Work." })
      .returning();
    await getDb().insert(vettingVouches).values({ applicationId: application!.id, voucherId: voucher.id, statement: "I know them." });
    const [theirs] = await getDb()
      .insert(vettingApplications)
      .values({ userId: applicant.id, agency: "Other", officialEmail: "ann@other.gov", sponsorName: "Sid", sponsorEmail: "sid@other.gov", reason: "Work." })
      .returning();
    await getDb().insert(vettingVouches).values({ applicationId: theirs!.id, voucherId: user.id, statement: "Solid colleague." });
    await requestEmailChange({ userId: user.id, currentPassword: FACTORY_PASSWORD, newEmail: "next@agency.example" }, origin);
    const [tokenRow] = await getDb().select().from(userTokens).where(eq(userTokens.userId, user.id));

    expect((await getAccount(user.id))?.mfaEnrolled).toBe(true);
    await getDb().insert(auditLog).values({ action: "role.granted", actorId: voucher.id, subjectType: "user", subjectId: user.id, ip: "10.20.30.40" });
    const data = await exportAccount(user.id, origin.ip);
    const text = () => JSON.stringify(data);
    // Staff who acted on the account stay anonymous, with their address.
    expect(data.auditEntries.find((entry) => entry.action === "role.granted")).toMatchObject({ actorId: null, ip: null, byYou: false });
    expect(text()).not.toContain("10.20.30.40");
    expect(Object.keys(data).sort()).toEqual(
      ["agenda", "auditEntries", "exportedAt", "groups", "mail", "mfa", "profile", "registration", "roles", "sessions", "vettingApplications", "vouchesGiven", "vouchesReceived"].sort(),
    );
    expect(data.profile.email).toBe(user.email);
    expect(data.roles.granted).toEqual(["speaker"]);
    expect(data.roles.effective.sort()).toEqual(["attendee", "member", "speaker"]);
    expect(data.mfa).toMatchObject({ enrolled: true, recoveryCodesLeft: 1 });
    expect(data.sessions).toHaveLength(1);
    expect(Object.keys(data.sessions[0]!).sort()).toEqual(["createdAt", "ip", "lastSeenAt", "mfaVerifiedAt", "userAgent"]);
    expect(data.vettingApplications.map((row) => row.officialEmail)).toEqual(["me@agency.gov"]);
    // Vouches are for the organizers: the applicant sees that one exists, not who wrote what.
    expect(data.vouchesReceived).toEqual([{ applicationId: application!.id, createdAt: expect.any(Date) }]);
    expect(text()).not.toContain("I know them.");
    expect(text()).not.toContain("Vic Voucher");
    expect(data.vouchesGiven).toMatchObject([{ applicantName: "Ann Applicant", statement: "Solid colleague." }]);
    expect(data.mail.map((mail) => mail.subject)).toContain("A change of address was requested for your Liaison account");

    for (const secret of [user.passwordHash, session.sessionId, session.token, "SEALED-KEY-MATERIAL", "RECOVERY-CODE-HASH", tokenRow!.tokenHash]) {
      expect(text()).not.toContain(secret);
    }
    expect(text()).not.toMatch(/passwordHash|tokenHash|sealedKey|codeHash/);
    expect(await auditOf(user.id, "account.exported")).toHaveLength(1);
  });
});

describe("deleting the account", () => {
  it("needs the current password", async () => {
    const user = await createUser();
    expect(await deleteAccount({ userId: user.id, currentPassword: "wrong", ip: null, links: TEST_LINKS })).toMatchObject({ ok: false, field: "currentPassword" });
    expect(await getDb().select().from(users).where(eq(users.id, user.id))).toHaveLength(1);
  });

  it("deletes the user with everything that hangs off it, and the audit entry stays", async () => {
    const user = await createUser({ traits: ["verified", "member"] });
    const session = await createUserSession(user.id);
    await getDb().insert(totpCredentials).values({ userId: user.id, sealedKey: "sealed" });
    await getDb()
      .insert(vettingApplications)
      .values({ userId: user.id, agency: "A", officialEmail: "a@a.gov", sponsorName: "S", sponsorEmail: "s@a.gov", reason: "R" });

    expect(await deleteAccount({ userId: user.id, currentPassword: FACTORY_PASSWORD, ip: "192.0.2.5", links: TEST_LINKS })).toEqual({ ok: true });
    expect(await getDb().select().from(users).where(eq(users.id, user.id))).toHaveLength(0);
    expect(await getDb().select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect(await getDb().select().from(totpCredentials).where(eq(totpCredentials.userId, user.id))).toHaveLength(0);
    expect(await getDb().select().from(vettingApplications).where(eq(vettingApplications.userId, user.id))).toHaveLength(0);
    expect((await validateSessionToken(session.token)).valid).toBe(false);
    const [entry] = await auditOf(user.id, "account.deleted");
    expect(entry).toMatchObject({ actorId: user.id, subjectType: "user", ip: "192.0.2.5" });
  });

  it("gives a new account on a deleted account's address none of the earlier owner's mail (issue 7, finding 10)", async () => {
    const email = "reused-address@agency.example";
    const earlier = await createUser({ email });
    await getDb().transaction((tx) => enqueueMail({ to: email, subject: "For the earlier owner", text: "Private to them." }, tx));
    expect(await deleteAccount({ userId: earlier.id, currentPassword: FACTORY_PASSWORD, ip: null, links: TEST_LINKS })).toEqual({ ok: true });
    const later = await createUser({ email });
    await getDb().transaction((tx) => enqueueMail({ to: email, subject: "For the new owner", text: "Theirs." }, tx));
    const exported = await exportAccount(later.id, null);
    expect(exported.mail.map((mail) => mail.subject)).toEqual(["For the new owner"]);
  });

  it("keeps a vouch, without its author, when the voucher deletes their account (finding 11)", async () => {
    const applicant = await createUser({ name: "Ann Applicant" });
    const [application] = await getDb()
      .insert(vettingApplications)
      .values({ userId: applicant.id, agency: "A", officialEmail: "a@a.gov", sponsorName: "S", sponsorEmail: "s@a.gov", reason: "R" })
      .returning({ id: vettingApplications.id });
    const voucher = await createUser({ traits: ["verified", "member"], name: "Vic Voucher" });
    await getDb().insert(vettingVouches).values({ applicationId: application!.id, voucherId: voucher.id, statement: "Worked a case with her." });
    expect(await deleteAccount({ userId: voucher.id, currentPassword: FACTORY_PASSWORD, ip: null, links: TEST_LINKS })).toEqual({ ok: true });
    const organizer = await createUser({ roles: ["organizer"] });
    const review = await getApplicationForReview({ id: organizer.id, permissions: permissionsOf(deriveRoles(organizer, new Date())) }, application!.id);
    expect(review?.vouches).toEqual([
      expect.objectContaining({ voucherName: "A member who has since deleted their account", statement: "Worked a case with her." }),
    ]);
    expect(JSON.stringify(review?.vouches)).not.toContain("Vic Voucher");
  });

  it("refuses to delete the only admin, and allows it once there is another", async () => {
    const admin = await createUser({ roles: ["admin"] });
    // An unverified admin holds no admin role yet.
    await createUser({ traits: [], roles: ["admin"] });
    const refused = await deleteAccount({ userId: admin.id, currentPassword: FACTORY_PASSWORD, ip: null, links: TEST_LINKS });
    expect(refused).toMatchObject({ ok: false, field: "form" });
    expect(!refused.ok && refused.message).toMatch(/only administrator/);
    expect(await getDb().select().from(users).where(eq(users.id, admin.id))).toHaveLength(1);

    await createUser({ roles: ["admin"] });
    expect(await deleteAccount({ userId: admin.id, currentPassword: FACTORY_PASSWORD, ip: null, links: TEST_LINKS })).toEqual({ ok: true });
  });
});
