import crypto from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import type { User } from "#db/schema/accounts.ts";
import { vettingApplications } from "#db/schema/vetting.ts";
import { getDb } from "#db/client.ts";
import { createUser } from "#tests/factories/accounts.ts";
import { deriveRoles, permissionsOf } from "../accounts/permissions.ts";
import { config, installConfig, readConfig } from "../config.ts";
import { enqueueMail } from "../mail/outbox.ts";
import type { Actor } from "../accounts/permissions.ts";
import { getDashboard } from "./dashboard.ts";
import { listOutbox } from "./outbox.ts";

function actorFor(user: User): Actor {
  return { id: user.id, permissions: permissionsOf(deriveRoles(user, new Date())) };
}

const original = config();
afterEach(() => installConfig(original));

function withSmtp() {
  const cfg = readConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", SMTP_URL: "smtp://mail.example:25", LIAISON_SECRET: crypto.randomBytes(32).toString("base64") });
  installConfig({ ...original, smtpUrl: cfg.smtpUrl });
}

describe("outbox", () => {
  it("is for holders of read:outbox only", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    await expect(listOutbox(actorFor(member))).rejects.toMatchObject({ status: 403 });
  });

  it("shows bodies only while no SMTP server is configured", async () => {
    const organizer = await createUser({ roles: ["organizer"] });
    await getDb().transaction((tx) => enqueueMail({ to: "one@outbox.example", subject: "First", text: "secret link token=abc" }, tx));
    await getDb().transaction((tx) => enqueueMail({ to: "two@outbox.example", subject: "Second", text: "another body" }, tx));

    const demo = await listOutbox(actorFor(organizer));
    expect(demo.bodiesVisible).toBe(true);
    expect(demo.rows.map((row) => row.subject)).toEqual(["Second", "First"]);
    expect(demo.rows[1]).toMatchObject({ to: "one@outbox.example", status: "pending", attempts: 0, body: "secret link token=abc" });

    withSmtp();
    const live = await listOutbox(actorFor(organizer));
    expect(live.bodiesVisible).toBe(false);
    expect(live.rows.map((row) => row.body)).toEqual([null, null]);
    expect(JSON.stringify(live)).not.toContain("secret link");
  });

  it("hides bodies on a production site without SMTP unless it is a demo", async () => {
    const organizer = await createUser({ roles: ["organizer"] });
    await getDb().transaction((tx) => enqueueMail({ to: "three@outbox.example", subject: "Third", text: "reset token=xyz" }, tx));
    installConfig({ ...original, env: "production", smtpUrl: undefined, seedDemo: false });
    const deployed = await listOutbox(actorFor(organizer));
    expect(deployed.bodiesVisible).toBe(false);
    expect(JSON.stringify(deployed)).not.toContain("token=xyz");
    installConfig({ ...original, env: "production", smtpUrl: undefined, seedDemo: true });
    expect((await listOutbox(actorFor(organizer))).bodiesVisible).toBe(true);
  });

  it("pages by id", async () => {
    const organizer = await createUser({ roles: ["organizer"] });
    await getDb().transaction(async (tx) => {
      for (let i = 0; i < 55; i += 1) await enqueueMail({ to: "bulk@outbox.example", subject: `Bulk ${i}`, text: "x" }, tx);
    });
    const first = await listOutbox(actorFor(organizer));
    expect(first.rows).toHaveLength(50);
    expect(first.older).not.toBeNull();
    const second = await listOutbox(actorFor(organizer), { before: first.older! });
    expect(second.rows.length).toBeGreaterThan(0);
    expect(second.rows.every((row) => row.id < first.older!)).toBe(true);
  });
});

describe("dashboard", () => {
  it("shows each viewer the counts and pages their permissions allow", async () => {
    const organizer = await createUser({ roles: ["organizer"] });
    const admin = await createUser({ roles: ["admin"] });
    const before = (await getDashboard(actorFor(organizer))).counts;
    const applicant = await createUser();
    await createUser({ traits: ["verified", "member"] });
    await createUser({ traits: ["verified", "member", "suspended"] });
    await getDb()
      .insert(vettingApplications)
      .values({ userId: applicant.id, agency: "A", officialEmail: "a@a.gov", sponsorName: "S", sponsorEmail: "s@a.gov", reason: "R" });
    await getDb().transaction((tx) => enqueueMail({ to: "dash@outbox.example", subject: "Pending", text: "x" }, tx));

    const forOrganizer = await getDashboard(actorFor(organizer));
    expect(forOrganizer.pages.map((page) => page.path)).toEqual(["/admin/vetting", "/admin/allowlist", "/admin/members", "/admin/groups", "/admin/agenda", "/admin/registrations", "/admin/check-in", "/admin/outbox"]);
    expect(forOrganizer.counts).toEqual({
      openApplications: before.openApplications! + 1,
      members: before.members! + 1,
      pendingMail: before.pendingMail! + 1,
    });

    const forAdmin = await getDashboard(actorFor(admin));
    expect(forAdmin.pages).toHaveLength(10);

    const moderator = await createUser({ traits: ["verified", "member"], roles: ["moderator"] });
    await expect(getDashboard(actorFor(moderator))).rejects.toMatchObject({ status: 403 });
  });
});
