/**
 * Who may see what: every route of the server build, GET as every kind of viewer, against the product's rules.
 *
 * Expected values: a status (200, 403, 404), or "302 <Location>" for a redirect. A Location ending in "…" is a
 * prefix; when the redirect carries a redirectTo, it must name the URL that was asked for.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "react-router";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { GrantedRole } from "#db/schema/accounts.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { createApplication } from "#tests/factories/vetting.ts";
import { startTestApp, type TestApp, type TestClient } from "#tests/support/app.ts";

type Expected = 200 | 403 | 404 | `302 ${string}`;

const ROLES = ["anonymous", "unverified", "attendee", "member", "moderator", "organizer", "admin"] as const;
type Role = (typeof ROLES)[number];
const PRIVILEGED = ["member", "moderator", "organizer", "admin"] as const;
type PrivilegedRole = (typeof PRIVILEGED)[number];

// Where the guards send a viewer who may not be here yet.
const SIGN_IN = "302 /login?redirectTo=…";
const VERIFY = "302 /verify-email";
const ACCOUNT = "302 /account";
const MFA = "302 /account/mfa?required=1&redirectTo=…";

/** Concrete values for the dynamic segments: `{application}` in a URL is an open application of a fixture applicant. */
const FIXTURE = { application: "", unknownApplication: "00000000-0000-4000-8000-000000000000" };

function concrete(url: string): string {
  return url.replace("{application}", FIXTURE.application).replace("{unknown-application}", FIXTURE.unknownApplication);
}

type Row = { route: string; url: string; expected: Record<Role, Expected> };

function row(route: string, url: string, ...expected: Expected[]): Row {
  if (expected.length !== ROLES.length) throw new Error(`${route}: ${expected.length} expectations for ${ROLES.length} roles`);
  return { route, url, expected: Object.fromEntries(ROLES.map((role, i) => [role, expected[i]!])) as Record<Role, Expected> };
}

const MATRIX: Row[] = [
  //  route                            URL                                            anonymous  unverified  attendee  member  moderator  organizer  admin
  row("/",                             "/",                                           200,       200,        200,      200,    200,       200,       200),
  row("/pages/:slug",                  "/pages/about",                                200,       200,        200,      200,    200,       200,       200),
  row("/pages/:slug",                  "/pages/no-such-page",                         404,       404,        404,      404,    404,       404,       404),
  row("/agenda",                       "/agenda",                                     200,       200,        200,      200,    200,       200,       200),
  row("/register",                     "/register",                                   200,       200,        200,      200,    200,       200,       200),
  row("/speakers",                     "/speakers",                                   200,       200,        200,      200,    200,       200,       200),

  row("/signup",                       "/signup",                                     200,       ACCOUNT,    ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  row("/login",                        "/login",                                      200,       ACCOUNT,    ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  row("/login/mfa",                    "/login/mfa",                                  "302 /login", ACCOUNT, ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  row("/logout",                       "/logout",                                     "302 /",   "302 /",    "302 /",  "302 /", "302 /",   "302 /",   "302 /"),
  row("/verify-email",                 "/verify-email",                               200,       200,        ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  row("/forgot-password",              "/forgot-password",                            200,       200,        200,      200,    200,       200,       200),
  row("/reset-password",               "/reset-password",                             200,       200,        200,      200,    200,       200,       200),

  row("/account",                      "/account",                                    SIGN_IN,   200,        200,      200,    200,       200,       200),
  row("/account/security",             "/account/security",                           SIGN_IN,   200,        200,      200,    200,       200,       200),
  row("/account/email/confirm",        "/account/email/confirm",                      200,       200,        200,      200,    200,       200,       200),
  row("/account/mfa",                  "/account/mfa",                                SIGN_IN,   VERIFY,     200,      200,    200,       200,       200),
  row("/account/export",               "/account/export",                             SIGN_IN,   200,        200,      200,    200,       200,       200),
  row("/account/delete",               "/account/delete",                             SIGN_IN,   200,        200,      200,    200,       200,       200),

  row("/vetting",                      "/vetting",                                    SIGN_IN,   VERIFY,     200,      200,    200,       200,       200),
  row("/vetting/verify",               "/vetting/verify",                             200,       200,        200,      200,    200,       200,       200),
  row("/members",                      "/members",                                    SIGN_IN,   VERIFY,     403,      200,    200,       200,       200),
  row("/members/vouch",                "/members/vouch",                              SIGN_IN,   VERIFY,     403,      200,    200,       403,       200),
  row("/forum",                        "/forum",                                      SIGN_IN,   VERIFY,     403,      200,    200,       403,       200),

  row("/admin",                        "/admin",                                      SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  row("/admin/vetting",                "/admin/vetting",                              SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  row("/admin/vetting/:applicationId", "/admin/vetting/{application}",               SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  row("/admin/vetting/:applicationId", "/admin/vetting/{unknown-application}",       SIGN_IN,   VERIFY,     403,      403,    403,       404,       404),
  row("/admin/vetting/:applicationId", "/admin/vetting/not-an-id",                    SIGN_IN,   VERIFY,     403,      403,    403,       404,       404),
  row("/admin/allowlist",              "/admin/allowlist",                            SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  row("/admin/members",                "/admin/members",                              SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  row("/admin/users",                  "/admin/users",                                SIGN_IN,   VERIFY,     403,      403,    403,       403,       200),
  row("/admin/audit",                  "/admin/audit",                                SIGN_IN,   VERIFY,     403,      403,    403,       403,       200),
  row("/admin/outbox",                 "/admin/outbox",                               SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),

  row("/*",                            "/no/such/page-anywhere",                      404,       404,        404,      404,    404,       404,       404),
];

/**
 * Privileged viewers whose session has not passed a second factor (and who have not enrolled yet): sent to set it
 * up wherever a permission needs MFA, but still 403 where they lack the permission, and free to use their own account.
 */
const WITHOUT_MFA: { url: string; expected: Record<PrivilegedRole, Expected> }[] = [
  //            URL                   member  moderator  organizer  admin
  withoutMfa("/members",             MFA,    MFA,       MFA,       MFA),
  withoutMfa("/members/vouch",       MFA,    MFA,       403,       MFA),
  withoutMfa("/forum",               MFA,    MFA,       403,       MFA),
  withoutMfa("/admin",               403,    403,       MFA,       MFA),
  withoutMfa("/admin/vetting",       403,    403,       MFA,       MFA),
  withoutMfa("/admin/vetting/{application}", 403, 403,  MFA,       MFA),
  withoutMfa("/admin/allowlist",     403,    403,       MFA,       MFA),
  withoutMfa("/admin/members",       403,    403,       MFA,       MFA),
  withoutMfa("/admin/users",         403,    403,       403,       MFA),
  withoutMfa("/admin/audit",         403,    403,       403,       MFA),
  withoutMfa("/admin/outbox",        403,    403,       MFA,       MFA),
  // What any signed-in account may do needs no second factor.
  withoutMfa("/account",             200,    200,       200,       200),
  withoutMfa("/account/mfa",         200,    200,       200,       200),
  withoutMfa("/vetting",             200,    200,       200,       200),
];

function withoutMfa(url: string, ...expected: Expected[]) {
  return { url, expected: Object.fromEntries(PRIVILEGED.map((role, i) => [role, expected[i]!])) as Record<PrivilegedRole, Expected> };
}

const USERS: Record<Exclude<Role, "anonymous">, { traits: ("verified" | "member")[]; roles: GrantedRole[] }> = {
  unverified: { traits: [], roles: [] },
  attendee: { traits: ["verified"], roles: [] },
  member: { traits: ["verified", "member"], roles: [] },
  moderator: { traits: ["verified", "member"], roles: ["moderator"] },
  organizer: { traits: ["verified"], roles: ["organizer"] },
  admin: { traits: ["verified"], roles: ["admin"] },
};

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  const applicant = await createUser({ traits: ["verified"], name: "Fixture Applicant" });
  FIXTURE.application = (await createApplication(applicant)).applicationId;
});

afterAll(async () => {
  await app?.close();
});

async function signedInClient(role: Exclude<Role, "anonymous">, mfaVerified: boolean): Promise<TestClient> {
  const user = await createUser(USERS[role]);
  const { token } = await createUserSession(user.id, { mfaVerified });
  const client = app.client();
  client.cookies.set("liaison_session", token);
  return client;
}

/** What a response was, in the table's terms. */
function describeResponse(status: number, location: string | null): string {
  return status >= 300 && status < 400 ? `${status} ${location ?? "(no Location)"}` : String(status);
}

/** Null when the response matches the expectation, else what went wrong. */
function mismatch(expected: Expected, url: string, status: number, location: string | null): string | null {
  const actual = describeResponse(status, location);
  if (typeof expected === "number") return status === expected ? null : `expected ${expected}, got ${actual}`;
  const target = expected.slice("302 ".length);
  const prefix = target.endsWith("…");
  const wanted = prefix ? target.slice(0, -1) : target;
  if (status !== 302 || location === null) return `expected ${expected}, got ${actual}`;
  if (prefix ? !location.startsWith(wanted) : location !== wanted) return `expected ${expected}, got ${actual}`;
  if (prefix) {
    const redirectTo = new URL(location, "http://x").searchParams.get("redirectTo");
    if (redirectTo !== url) return `expected redirectTo=${url}, got ${actual}`;
  }
  return null;
}

function routePatterns(build: ServerBuild): string[] {
  const patterns: string[] = [];
  for (const [id, route] of Object.entries(build.routes)) {
    if (!route || id === "root" || (route.path === undefined && !route.index)) continue;
    const segments: string[] = [];
    for (let at: typeof route | undefined = route; at; at = at.parentId ? build.routes[at.parentId] : undefined) {
      if (at.path) segments.unshift(at.path);
    }
    patterns.push(`/${segments.join("/")}`);
  }
  return patterns;
}

test("the table names every route of the server build, and only those", async () => {
  const build = (await import(/* @vite-ignore */ pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
  const built = new Set(routePatterns(build));
  const tabled = new Set(MATRIX.map((r) => r.route));
  expect(built.size).toBeGreaterThan(30);
  expect([...built].filter((route) => !tabled.has(route)), "routes missing from the access matrix").toEqual([]);
  expect([...tabled].filter((route) => !built.has(route)), "routes in the matrix that the app does not have").toEqual([]);
});

describe("GET of every route as every role (privileged sessions verified with MFA)", () => {
  const clients = {} as Record<Role, TestClient>;

  beforeAll(async () => {
    clients.anonymous = app.client();
    for (const role of ROLES) {
      if (role === "anonymous") continue;
      clients[role] = await signedInClient(role, (PRIVILEGED as readonly string[]).includes(role));
    }
  });

  test.each(MATRIX.map((r) => [r.url, r] as const))("GET %s", async (_url, r) => {
    const url = concrete(r.url);
    const problems: string[] = [];
    for (const role of ROLES) {
      const res = await clients[role].get(url);
      const problem = mismatch(r.expected[role], url, res.status, res.location);
      if (problem) problems.push(`GET ${url} as ${role}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });
});

describe("privileged roles without a verified second factor", () => {
  const clients = {} as Record<PrivilegedRole, TestClient>;

  beforeAll(async () => {
    for (const role of PRIVILEGED) clients[role] = await signedInClient(role, false);
  });

  test.each(WITHOUT_MFA.map((r) => [r.url, r] as const))("GET %s", async (_url, r) => {
    const url = concrete(r.url);
    const problems: string[] = [];
    for (const role of PRIVILEGED) {
      const res = await clients[role].get(url);
      const problem = mismatch(r.expected[role], url, res.status, res.location);
      if (problem) problems.push(`GET ${url} as ${role} without MFA: ${problem}`);
    }
    expect(problems).toEqual([]);
  });
});
