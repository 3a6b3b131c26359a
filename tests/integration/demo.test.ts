/**
 * A newcomer can try every role: the demo accounts that need two factors come enrolled with the known key, so the
 * code `npm run demo:code` prints signs them in; mail on a demo site goes to the console with its links; the terminal
 * gets short lines.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEMO_MFA_ROLES, DEMO_TOTP_KEY, demoTotpCodes } from "#db/demo-totp.ts";
import { DEMO_PASSWORD, seedDemo } from "#db/seed.ts";
import { startBanner } from "#app/.server/boot.ts";
import { config } from "#app/.server/config.ts";
import { formatPretty } from "#app/.server/log.ts";
import { createTransport } from "#app/.server/mail/transport.ts";
import { startTestApp, type TestApp, type TestClient } from "#tests/support/app.ts";

let app: TestApp;

beforeAll(async () => {
  await seedDemo();
  app = await startTestApp();
}, 60_000);

afterAll(async () => {
  await app?.close();
});

async function signInWithPassword(client: TestClient, role: string, redirectTo: string) {
  return client.post("/login", { email: `${role}@demo.liaison.test`, password: DEMO_PASSWORD, redirectTo });
}

/** The role's own page: what its permissions open once the second factor is in. */
const STAFF_PAGES: Record<(typeof DEMO_MFA_ROLES)[number], string> = {
  member: "/forum",
  moderator: "/forum",
  organizer: "/admin/outbox",
  admin: "/admin/audit",
};

describe("demo accounts", () => {
  test.each(DEMO_MFA_ROLES)("the %s signs in with the password and the code demo:code prints, and reaches their page", async (role) => {
    const client = app.client();
    const page = STAFF_PAGES[role];
    const first = await signInWithPassword(client, role, page);
    expect(first.status).toBe(302);
    expect(first.location).toBe(`/login/mfa?${new URLSearchParams({ redirectTo: page })}`);

    const second = await client.post(first.location!, { code: demoTotpCodes().current, redirectTo: page });
    expect(second.status).toBe(302);
    expect(second.location).toBe(page);
    expect((await client.get(page)).status).toBe(200);
  });

  test.each(["attendee", "speaker"])("the %s signs in with the password alone", async (role) => {
    const client = app.client();
    const res = await signInWithPassword(client, role, "/account");
    expect(res.status).toBe(302);
    expect(res.location).toBe("/account");
    expect((await client.get("/account")).status).toBe(200);
  });

  test("seeding again keeps the enrolled accounts as they are", async () => {
    await seedDemo();
    const client = app.client();
    const first = await signInWithPassword(client, "organizer", "/admin/outbox");
    expect(first.location).toMatch(/^\/login\/mfa\?/);
  });

  test("`npm run demo:code -- organizer` prints the current code first, and refuses a role without a second factor", async () => {
    const run = promisify(execFile);
    const cli = [path.resolve("node_modules/tsx/dist/cli.mjs"), "db/demo-code.ts"];
    const before = demoTotpCodes();
    const { stdout } = await run(process.execPath, [...cli, "organizer"]);
    const after = demoTotpCodes();
    const [code, ...rest] = stdout.split("\n");
    expect([before.current, after.current]).toContain(code);
    expect(rest.join("\n")).toContain(`add the key ${DEMO_TOTP_KEY}`);

    const refused = await run(process.execPath, [...cli, "speaker"]).catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 2 });
    expect((refused as { stderr: string }).stderr).toContain("one of: member, moderator, organizer, admin");
  });
});

describe("the terminal on a demo site", () => {
  const demoSite = () => ({ ...config(), env: "production" as const, seedDemo: true, demoOrDevelopment: true, smtpUrl: undefined });

  test("mail is printed on the console with its links, on demo and development sites only", async () => {
    const out = new PassThrough();
    let printed = "";
    out.on("data", (chunk: Buffer) => (printed += chunk.toString("utf8")));
    const transport = createTransport(demoSite(), out);
    expect(transport.name).toBe("console");
    await transport.send({
      to: "nora@example.org",
      subject: "Confirm your email address",
      text: "Hello Nora,\n\nOpen this link:\n\nhttp://localhost:3000/verify-email?token=abc\n",
    });
    expect(printed).toContain("Mail to nora@example.org\nSubject: Confirm your email address\n");
    expect(printed).toContain("\nhttp://localhost:3000/verify-email?token=abc\n");

    expect(createTransport({ ...demoSite(), env: "development", seedDemo: false }).name).toBe("console");
    expect(createTransport({ ...demoSite(), seedDemo: false, demoOrDevelopment: false }).name).toBe("outbox");
    expect(createTransport({ ...demoSite(), smtpUrl: "smtp://mail.example:25" }).name).toBe("smtp");
  });

  test("log entries read as one short line each; the banner names the address and every demo account once", async () => {
    const time = Date.UTC(2026, 10, 28, 21, 5, 9);
    expect(formatPretty({ level: 30, time, msg: "request", method: "POST", path: "/login", status: 303, ms: 12.5, reqId: "r1" })).toBe(
      "21:05:09 POST /login 303 12.5 ms",
    );
    expect(formatPretty({ level: 40, time, msg: "content pages synced", pages: 4 })).toBe("21:05:09 WARN content pages synced pages=4");
    expect(formatPretty({ level: 50, time, msg: "job failed", err: { message: "boom", stack: "Error: boom\n    at here" } })).toBe(
      "21:05:09 ERROR job failed\nError: boom\n    at here",
    );

    const banner = startBanner("http://localhost:3000", await seedDemo());
    expect(banner.split("\n")[0]).toBe("Liaison is listening on http://localhost:3000 (Ctrl-C stops it)");
    for (const role of ["unverified", "attendee", "speaker", ...DEMO_MFA_ROLES]) {
      expect(banner.match(new RegExp(`${role}@demo\\.liaison\\.test`, "g"))).toHaveLength(1);
    }
    expect(banner).toContain("npm run demo:code -- organizer");
    expect(banner).not.toContain("npm run demo:code -- speaker");
  });
});
