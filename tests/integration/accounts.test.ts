/**
 * The security properties of signing in, over HTTP against the production build: CSRF refusal, cookie flags,
 * one answer for unknown and wrong, throttling, sessions that end with a password change, a suspension or idleness,
 * single-use recovery codes, and one database round trip to check a session.
 */
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { getDb, observeQueries } from "#db/client.ts";
import { sessions, users } from "#db/schema/accounts.ts";
import { auditLog } from "#db/schema/audit.ts";
import { mailOutbox } from "#db/schema/mail.ts";
import { authThrottle } from "#db/schema/throttle.ts";
import { THROTTLE } from "#app/.server/accounts/throttle.ts";
import { createGroup } from "#tests/factories/access.ts";
import { createUser, createUserSession, FACTORY_PASSWORD } from "#tests/factories/accounts.ts";
import { hashToken } from "#app/.server/accounts/tokens.ts";
import { startTestApp, type TestApp, type TestClient, type TestResponse } from "#tests/support/app.ts";
import { formAlert } from "#tests/support/html.ts";

const COOKIE = "liaison_session";
const NEW_PASSWORD = "a brand new passphrase for the test";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.close();
});

function signIn(client: TestClient, email: string, password = FACTORY_PASSWORD, redirectTo = ""): Promise<TestResponse> {
  return client.post("/login", { email, password, redirectTo });
}

async function signedIn(email: string): Promise<TestClient> {
  const client = app.client();
  const res = await signIn(client, email);
  expect([302, 303]).toContain(res.status);
  expect(client.cookies.has(COOKIE)).toBe(true);
  return client;
}

function isRedirect(status: number): boolean {
  return status === 302 || status === 303;
}


async function sessionCount(userId: string): Promise<number> {
  const [row] = await getDb().select({ n: sql<number>`count(*)::int` }).from(sessions).where(eq(sessions.userId, userId));
  return Number(row?.n ?? 0);
}

/** What a refused request must leave as it was. */
async function snapshot(userId: string) {
  const count = async (table: typeof auditLog | typeof mailOutbox) => Number((await getDb().select({ n: sql<number>`count(*)::int` }).from(table))[0]?.n);
  const [user] = await getDb().select({ passwordHash: users.passwordHash, status: users.status }).from(users).where(eq(users.id, userId));
  return { sessions: await sessionCount(userId), audit: await count(auditLog), mail: await count(mailOutbox), user };
}

describe("cross-origin requests", () => {
  test("a cross-site POST to /login is refused with 403 and signs nobody in", async () => {
    const user = await createUser();
    const before = await snapshot(user.id);
    const client = app.client();
    const res = await client.post("/login", { email: user.email, password: FACTORY_PASSWORD, redirectTo: "" }, { crossSite: true });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(client.cookies.size).toBe(0);
    expect(await snapshot(user.id)).toEqual(before);
  });

  test("a cross-site POST to /logout is refused with 403 and the session still works", async () => {
    const user = await createUser();
    const client = await signedIn(user.email);
    const before = await snapshot(user.id);
    const res = await client.post("/logout", {}, { crossSite: true });
    expect(res.status).toBe(403);
    expect(client.cookies.has(COOKIE)).toBe(true);
    expect(await snapshot(user.id)).toEqual(before);
    expect((await client.get("/account")).status).toBe(200);
  });

  test("a cross-site POST to /account/security is refused with 403 and the password stays", async () => {
    const user = await createUser();
    const client = await signedIn(user.email);
    const before = await snapshot(user.id);
    const fields = { intent: "password", currentPassword: FACTORY_PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD };
    const res = await client.post("/account/security", fields, { crossSite: true });
    expect(res.status).toBe(403);
    expect(await snapshot(user.id)).toEqual(before);
    expect((await client.get("/account")).status).toBe(200);
    expect(isRedirect((await signIn(app.client(), user.email)).status)).toBe(true);
  });

  test("a POST whose Origin is another site is refused without Sec-Fetch-Site too", async () => {
    const user = await createUser();
    const client = await signedIn(user.email);
    const before = await snapshot(user.id);
    const send = (path: string, body: Record<string, string>) =>
      client.request(path, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://evil.example" },
        body: new URLSearchParams(body),
      });
    expect((await send("/login", { email: user.email, password: FACTORY_PASSWORD, redirectTo: "" })).status).toBe(403);
    expect((await send("/logout", {})).status).toBe(403);
    const fields = { intent: "password", currentPassword: FACTORY_PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD };
    expect((await send("/account/security", fields)).status).toBe(403);
    expect(await snapshot(user.id)).toEqual(before);
    expect((await client.get("/account")).status).toBe(200);
  });
});

describe("signing in", () => {
  test("a good password answers with a redirect and an HttpOnly, SameSite=Lax session cookie", async () => {
    const user = await createUser();
    const client = app.client();
    const res = await signIn(client, user.email);
    expect(isRedirect(res.status)).toBe(true);
    expect(res.location).toBe("/account");
    const cookie = res.headers.getSetCookie().find((line) => line.startsWith(`${COOKIE}=`));
    expect(cookie).toBeDefined();
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(cookie).toMatch(/;\s*Path=\//i);
    expect(client.cookies.get(COOKIE)).toMatch(/^[a-z2-7]{32}$/);
    expect((await client.get("/account")).status).toBe(200);
  });

  test("an unknown address and a wrong password get the same answer", async () => {
    const user = await createUser();
    const unknown = await signIn(app.client(), "nobody-here@agency.example", FACTORY_PASSWORD);
    const wrong = await signIn(app.client(), user.email, "not the right password at all");
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(unknown.status);
    expect(formAlert(unknown.text)).toBe("The email address or password is not correct.");
    expect(formAlert(wrong.text)).toBe(formAlert(unknown.text));
    expect(unknown.headers.getSetCookie()).toEqual([]);
    expect(wrong.headers.getSetCookie()).toEqual([]);
  });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("sessions that must end", () => {
  test("a password change ends the other browser's session", async () => {
    const user = await createUser();
    const changer = await signedIn(user.email);
    const other = await signedIn(user.email);
    expect((await other.get("/account")).status).toBe(200);

    const res = await changer.post("/account/security", {
      intent: "password",
      currentPassword: FACTORY_PASSWORD,
      password: NEW_PASSWORD,
      confirm: NEW_PASSWORD,
    });
    expect(isRedirect(res.status)).toBe(true);
    expect((await changer.get("/account")).status).toBe(200);

    const stale = await other.get("/account");
    expect(stale.status).toBe(302);
    expect(stale.location).toBe("/login?redirectTo=%2Faccount");
    expect(other.cookies.has(COOKIE)).toBe(false);
    expect(await sessionCount(user.id)).toBe(1);

    expect((await signIn(app.client(), user.email, FACTORY_PASSWORD)).status).toBe(401);
    expect(isRedirect((await signIn(app.client(), user.email, NEW_PASSWORD)).status)).toBe(true);
  });

  test("a suspension by an organizer ends the member's session and refuses the next sign-in", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    const victim = await signedIn(member.email);
    expect((await victim.get("/account")).status).toBe(200);

    const organizer = await createUser({ roles: ["organizer"] });
    const organizerClient = app.client();
    organizerClient.cookies.set(COOKIE, (await createUserSession(organizer.id, { mfaVerified: true })).token);
    const res = await organizerClient.post("/admin/members", { intent: "suspend", userId: member.id, reason: "Left the agency." });
    expect(res.status).toBe(200);
    expect(res.text).toContain("Suspended: the account is signed out everywhere");

    const after = await victim.get("/account");
    expect(after.status).toBe(302);
    expect(after.location).toBe("/login?redirectTo=%2Faccount");
    expect(victim.cookies.has(COOKIE)).toBe(false);
    expect(await sessionCount(member.id)).toBe(0);

    const again = await signIn(app.client(), member.email);
    expect(again.status).toBe(403);
    expect(again.headers.getSetCookie()).toEqual([]);
  });

  test("an idle member session expires after 30 minutes and its cookie is cleared", async () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    const member = await createUser({ traits: ["verified", "member"] });
    const client = await signedIn(member.email);
    expect((await client.get("/account")).status).toBe(200);

    // Thirty-one minutes pass: the database says so, and this instance's one-second reuse of the check runs out.
    await getDb().update(sessions).set({ lastSeenAt: sql`now() - interval '31 minutes'` }).where(eq(sessions.userId, member.id));
    vi.advanceTimersByTime(1_001);
    const res = await client.get("/account");
    expect(res.status).toBe(302);
    expect(res.location).toBe("/login?redirectTo=%2Faccount");
    const cleared = res.headers.getSetCookie().find((line) => line.startsWith(`${COOKIE}=`));
    expect(cleared).toMatch(new RegExp(`^${COOKIE}=;`));
    expect(cleared).toMatch(/Max-Age=0/i);
    expect(client.cookies.has(COOKIE)).toBe(false);
    expect(await sessionCount(member.id)).toBe(0);
  });

  test("an attendee session idle for the same 31 minutes still works", async () => {
    const attendee = await createUser();
    const client = await signedIn(attendee.email);
    await getDb().update(sessions).set({ lastSeenAt: sql`now() - interval '31 minutes'` }).where(eq(sessions.userId, attendee.id));
    expect((await client.get("/account")).status).toBe(200);
  });
});

describe("recovery codes", () => {
  function totpNow(key: string): string {
    return generateHOTP(decodeBase32IgnorePadding(key), BigInt(Math.floor(Date.now() / 30_000)), 6);
  }

  async function signInWithSecondFactor(client: TestClient, email: string, code: string): Promise<TestResponse> {
    const first = await signIn(client, email);
    expect(isRedirect(first.status)).toBe(true);
    expect(first.location).toBe("/login/mfa?redirectTo=%2Faccount");
    expect((await client.follow()).status).toBe(200);
    // A session that still owes its second factor opens nothing.
    expect((await client.get("/account")).location).toMatch(/^\/login\/mfa\?/);
    return client.post(first.location!, { code, redirectTo: "/account" });
  }

  test("a recovery code signs in once, and another code still works after it", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    const client = await signedIn(member.email);

    const setup = await client.get("/account/mfa");
    expect(setup.status).toBe(200);
    const key = /name="key" value="([A-Z2-7]+)"/.exec(setup.text)?.[1];
    expect(key).toBeDefined();
    const enrolled = await client.post("/account/mfa", { intent: "enrol", key: key!, code: totpNow(key!), currentPassword: FACTORY_PASSWORD });
    expect(enrolled.status).toBe(200);
    const list = /<ul class="codes">([\s\S]*?)<\/ul>/.exec(enrolled.text)?.[1] ?? "";
    const codes = [...list.matchAll(/<li>([^<]+)<\/li>/g)].map((match) => match[1]!);
    expect(codes).toHaveLength(10);
    const [first, second] = codes as [string, string];

    expect(isRedirect((await client.post("/logout", {})).status)).toBe(true);
    const usedOnce = await signInWithSecondFactor(client, member.email, first);
    expect(isRedirect(usedOnce.status)).toBe(true);
    expect(usedOnce.location).toBe("/account");
    expect((await client.get("/account")).status).toBe(200);

    expect(isRedirect((await client.post("/logout", {})).status)).toBe(true);
    const reused = await signInWithSecondFactor(client, member.email, first);
    expect(reused.status).toBe(400);
    expect(reused.text).toContain("That code is not valid.");
    expect((await client.get("/account")).location).toMatch(/^\/login\/mfa\?/);

    const other = await client.post("/login/mfa?redirectTo=%2Faccount", { code: second, redirectTo: "/account" });
    expect(isRedirect(other.status)).toBe(true);
    expect(other.location).toBe("/account");
    expect((await client.get("/account")).status).toBe(200);
  });
});

describe("database round trips", () => {
  async function statementsDuring(request: () => Promise<TestResponse>) {
    const statements: string[] = [];
    const stop = observeQueries((query) => statements.push(query));
    let res: TestResponse;
    try {
      res = await request();
    } finally {
      stop();
    }
    return { res, statements, sessionStatements: statements.filter((query) => /\bsessions\b/i.test(query)) };
  }

  test("a signed-in page checks the session in exactly one statement; an anonymous home page in none", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    const client = app.client();
    client.cookies.set(COOKIE, (await createUserSession(member.id, { mfaVerified: true })).token);
    vi.useFakeTimers({ toFake: ["performance"] });

    const counts: Record<string, number> = {};
    for (const path of ["/forum", "/account/mfa"]) {
      const { res, sessionStatements } = await statementsDuring(() => client.get(path));
      expect(res.status).toBe(200);
      counts[`member GET ${path}`] = sessionStatements.length;
      expect(sessionStatements).toHaveLength(1);
      // The next GET within a second reuses this check (see the next test); this one is for a second later.
      vi.advanceTimersByTime(1_001);
    }

    const anonymous = await statementsDuring(() => app.client().get("/"));
    expect(anonymous.res.status).toBe(200);
    counts["anonymous GET /"] = anonymous.sessionStatements.length;
    expect(anonymous.sessionStatements).toHaveLength(0);

    process.stdout.write(`statements touching the sessions table: ${JSON.stringify(counts)}\n`);
  });

  test("signed-in GETs within a second reuse the check; a POST always checks, and afterwards the GETs check again", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    const client = app.client();
    client.cookies.set(COOKIE, (await createUserSession(member.id, { mfaVerified: true })).token);
    vi.useFakeTimers({ toFake: ["performance"] });

    expect((await statementsDuring(() => client.get("/account"))).sessionStatements).toHaveLength(1);
    vi.advanceTimersByTime(900);
    expect((await statementsDuring(() => client.get("/forum"))).sessionStatements).toHaveLength(0);

    const post = await statementsDuring(() => client.post("/account", { intent: "nothing" }));
    expect(post.sessionStatements).toHaveLength(1);
    expect((await statementsDuring(() => client.get("/forum"))).sessionStatements).toHaveLength(1);

    vi.advanceTimersByTime(1_001);
    expect((await statementsDuring(() => client.get("/forum"))).sessionStatements).toHaveLength(1);
  });

  test("a session ended on this instance is refused on the next GET, even within the second", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    const client = app.client();
    const { token } = await createUserSession(member.id, { mfaVerified: true });
    client.cookies.set(COOKIE, token);
    expect((await client.get("/forum")).status).toBe(200);
    expect((await client.post("/logout", {})).status).toBe(302);
    // A copy of the cookie kept elsewhere (another tab's request already in flight, a stolen copy) is refused at once.
    client.cookies.set(COOKIE, token);
    const again = await client.get("/forum");
    expect(again.status).toBe(302);
    expect(again.location).toBe("/login?redirectTo=%2Fforum");
  });

  test("a viewer's groups come with that one statement, not with another", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    await createGroup({ members: [member] });
    await createGroup({ managers: [member] });
    const client = app.client();
    client.cookies.set(COOKIE, (await createUserSession(member.id, { mfaVerified: true })).token);
    const { res, statements, sessionStatements } = await statementsDuring(() => client.get("/account/mfa"));
    expect(res.status).toBe(200);
    expect(sessionStatements).toHaveLength(1);
    expect(statements.filter((query) => /\bgroup_members\b/i.test(query))).toEqual(sessionStatements);
  });
});

// Last in the file: the throttle also counts failures per client address, which every test here shares.
describe("throttling", () => {
  afterAll(async () => {
    await getDb().delete(authThrottle);
  });

  test("30 wrong passwords in a row are throttled with 429, and then even the right one waits", async () => {
    const user = await createUser();
    const statuses: number[] = [];
    let last: TestResponse | undefined;
    for (let attempt = 0; attempt < 30; attempt++) {
      last = await signIn(app.client(), user.email, `wrong password number ${attempt}`);
      statuses.push(last.status);
    }
    // All from one address: the (account, address) pair's counter is the first to close.
    const free = THROTTLE.pair.freeFailures;
    expect(statuses.slice(0, free)).toEqual(Array(free).fill(401));
    expect(statuses.slice(free)).toEqual(Array(30 - free).fill(429));
    expect(formAlert(last!.text)).toMatch(/^Too many failed sign-in attempts\. Try again in \d+ (seconds|minutes)/);

    const right = await signIn(app.client(), user.email);
    expect(right.status).toBe(429);
    expect(right.headers.getSetCookie()).toEqual([]);
    expect(await sessionCount(user.id)).toBe(0);
  });
});

test("the data export downloads on a navigation, and not from an image tag", async () => {
  const user = await createUser();
  const client = app.client();
  await client.post("/login", { email: user.email, password: FACTORY_PASSWORD });
  const asImage = await client.get("/account/export", { "Sec-Fetch-Dest": "image" });
  expect(asImage.status).toBe(403);
  const res = await client.get("/account/export", { "Sec-Fetch-Dest": "document" });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="liaison-account-\d{4}-\d{2}-\d{2}\.json"$/);
  expect(JSON.parse(res.text).profile.email).toBe(user.email);
  const exports = await getDb().select().from(auditLog).where(eq(auditLog.subjectId, user.id));
  expect(exports.filter((entry) => entry.action === "account.exported")).toHaveLength(1);
});

describe("where signing in sends you (issue 7, finding 1)", () => {
  // Each is a path to us before it is normalised, and a path to another host after (or as written).
  const hostile = [
    "/.//evil.example/phish",
    "/..//evil.example/phish",
    "/a/..//evil.example/phish",
    "/%2e//evil.example/phish",
    "/%2E%2E//evil.example/phish",
    "//evil.example/phish",
    "/\\evil.example/phish",
    "https://evil.example/phish",
  ];

  test.each(hostile)("GET /login when signed in, redirectTo=%s, stays on the site", async (target) => {
    const client = await signedIn((await createUser()).email);
    const res = await client.get(`/login?${new URLSearchParams({ redirectTo: target })}`);
    expect(isRedirect(res.status)).toBe(true);
    expect(res.location).toBe("/account");
  });

  test.each(hostile)("POST /login, redirectTo=%s, stays on the site", async (target) => {
    const res = await signIn(app.client(), (await createUser()).email, FACTORY_PASSWORD, target);
    expect(isRedirect(res.status)).toBe(true);
    expect(res.location).toBe("/account");
  });

  test.each(hostile)("POST /login/mfa and GET /login/mfa when done, redirectTo=%s, stay on the site", async (target) => {
    const user = await createUser({ traits: ["verified", "member"] });
    await getDb().execute(sql`insert into totp_credentials (user_id, sealed_key) values (${user.id}, 'unused here')`);
    await getDb().execute(sql`insert into recovery_codes (user_id, code_hash) values (${user.id}, ${hashToken("abcde12345")})`);
    const client = app.client();
    const first = await signIn(client, user.email, FACTORY_PASSWORD, target);
    expect(first.location).toBe("/login/mfa?redirectTo=%2Faccount");
    const res = await client.post(`/login/mfa?${new URLSearchParams({ redirectTo: target })}`, { code: "abcde-12345", redirectTo: target });
    expect(isRedirect(res.status)).toBe(true);
    expect(res.location).toBe("/account");
    const again = await client.get(`/login/mfa?${new URLSearchParams({ redirectTo: target })}`);
    expect(again.location).toBe("/account");
  });

  test("a path of the site, with its query, is kept", async () => {
    const res = await signIn(app.client(), (await createUser()).email, FACTORY_PASSWORD, "/agenda/../members?q=ann");
    expect(res.location).toBe("/members?q=ann");
  });
});

describe("pages with a token in their address (finding 12)", () => {
  test.each(["/reset-password?token=abcdefghijklmnopqrstuvwxyz234567", "/verify-email?token=abcdefghijklmnopqrstuvwxyz234567", "/account/email/confirm?token=abcdefghijklmnopqrstuvwxyz234567"])(
    "%s is never stored by a cache",
    async (path) => {
      const res = await app.client().get(path);
      expect(res.headers.get("cache-control")).toBe("no-store");
    },
  );
});

describe("control characters (finding 7)", () => {
  test("a NUL in a sign-up field answers 400 with the field's message", async () => {
    const res = await app.client().post("/signup", {
      name: "Nul\u0000Name",
      email: "nul-signup@agency.example",
      agency: "Agency",
      jobTitle: "Officer",
      country: "US",
      password: "a long enough passphrase",
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain("Remove the control characters (such as NUL) from this field.");
    expect(await getDb().select().from(users).where(eq(users.email, "nul-signup@agency.example"))).toHaveLength(0);
  });

  test("a NUL in a search box of the audit log answers 400 with the field's message", async () => {
    const admin = await createUser({ roles: ["admin"] });
    const session = await createUserSession(admin.id, { mfaVerified: true });
    await getDb().execute(sql`insert into totp_credentials (user_id, sealed_key) values (${admin.id}, 'unused here')`);
    const client = app.client();
    client.cookies.set(COOKIE, session.token);
    const res = await client.get("/admin/audit?actor=%00");
    expect(res.status).toBe(400);
    expect(res.text).toContain("Remove the control characters (such as NUL) from this field.");
    const members = await client.get("/admin/members?q=%00");
    expect(members.status).toBe(400);
    const people = await client.get("/admin/users?q=a%00b");
    expect(people.status).toBe(400);
  });

  test("a right-to-left override in a name is refused", async () => {
    const res = await app.client().post("/signup", {
      name: "Ann \u202Enimda",
      email: "bidi-signup@agency.example",
      agency: "Agency",
      jobTitle: "Officer",
      country: "US",
      password: "a long enough passphrase",
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain("Remove the invisible formatting characters");
  });
});
