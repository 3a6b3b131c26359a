/**
 * Who may see and do what: every route of the server build, GET as every kind of viewer, and every form's intent
 * POSTed as every kind of viewer, against the product's rules.
 *
 * Expected values: a status, or "302 <Location>" for a redirect. A Location ending in "…" is a prefix; when the
 * redirect carries a redirectTo, it must name the URL that was asked for.
 *
 * A module adds, for each route: a `page(...)` row per URL worth checking, and a `post(...)` row per intent of each
 * form (the test fails while a route, an action or an intent written in a route module or in a component posting to
 * it has no row). Columns are the ROLES; `.also({...})` adds expectations for PERSONAS, viewers defined by how they
 * relate to a fixture (the manager of a group and a plain member of it; the speaker of a session, the author of a
 * post as those modules arrive).
 * POST fields should be harmless to repeat: empty fields show that the guard runs before the form is read (an
 * allowed viewer gets 400), real fields show the domain's own check (owner 200, non-owner 403 or 404).
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { RouteConfigEntry } from "@react-router/dev/routes";
import type { ServerBuild } from "react-router";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import routeConfig from "#app/routes.ts";
import type { GrantedRole } from "#db/schema/accounts.ts";
import { and, eq } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { conferences, programSessions, speakers } from "#db/schema/agenda.ts";
import { createFeedToken } from "#app/.server/agenda/feeds.ts";
import { importProgram } from "#app/.server/agenda/import.ts";
import { createGroup } from "#tests/factories/access.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { createApplication } from "#tests/factories/vetting.ts";
import { createRegistration } from "#tests/factories/registration.ts";
import { startTestApp, type TestApp, type TestClient } from "#tests/support/app.ts";

type Expected = 200 | 400 | 403 | 404 | 409 | `302 ${string}`;

const ROLES = ["anonymous", "unverified", "attendee", "member", "moderator", "organizer", "admin"] as const;
type Role = (typeof ROLES)[number];
const PRIVILEGED = ["member", "moderator", "organizer", "admin"] as const;
type PrivilegedRole = (typeof PRIVILEGED)[number];

/** Viewers defined by their relation to a fixture; each is a verified attendee otherwise. */
const PERSONAS = ["group manager", "group member", "session speaker", "registered attendee"] as const;
type Persona = (typeof PERSONAS)[number];
type Viewer = Role | Persona;

// Where the guards send a viewer who may not be here yet.
const SIGN_IN = "302 /login?redirectTo=…";
const VERIFY = "302 /verify-email";
const ACCOUNT = "302 /account";
const MFA = "302 /account/mfa?required=1&redirectTo=…";

/**
 * Values for the `{placeholders}` in URLs and fields, filled in beforeAll: `{application}` is an open application of
 * a fixture applicant; `{group}` a community managed by "group manager" with "group member" in it; `{bystander}` an
 * account that POSTs add to that group; `{outsider}` an account never in it. From the demo program: `{session}` a
 * public session, `{members-session}` one for vetted members at which "session speaker" speaks, `{attendees-session}`
 * one for the edition's registered attendees, `{cancel-session}` one the organizers' rows cancel, `{feed}` the token
 * of a personal calendar feed, `{breakout}` a session with limited seats for attendees ("registered attendee" holds an
 * approved registration for the current edition).
 */
const FIXTURE: Record<string, string> = {
  application: "",
  "unknown-application": "00000000-0000-4000-8000-000000000000",
  group: "",
  "unknown-group": "00000000-0000-4000-8000-000000000001",
  bystander: "",
  outsider: "",
  session: "",
  "members-session": "",
  "attendees-session": "",
  "cancel-session": "",
  feed: "",
  breakout: "",
};

function concrete(template: string): string {
  return template.replace(/\{([a-z-]+)\}/g, (_, name: string) => {
    const value = FIXTURE[name];
    if (!value) throw new Error(`No fixture value for {${name}}`);
    return value;
  });
}

class Row {
  constructor(
    readonly method: "GET" | "POST",
    readonly route: string,
    readonly url: string,
    readonly intent: string | null,
    readonly fields: Record<string, string>,
    readonly expected: Partial<Record<Viewer, Expected>>,
  ) {}

  /** Expectations for personas, on top of the roles. */
  also(personas: Partial<Record<Persona, Expected>>): Row {
    return new Row(this.method, this.route, this.url, this.intent, this.fields, { ...this.expected, ...personas });
  }

  get label(): string {
    return this.method === "GET" ? `GET ${this.url}` : `POST ${this.url} ${this.intent ?? "(no intent)"}`;
  }
}

function byRole(label: string, expected: Expected[]): Record<Role, Expected> {
  if (expected.length !== ROLES.length) throw new Error(`${label}: ${expected.length} expectations for ${ROLES.length} roles`);
  return Object.fromEntries(ROLES.map((role, i) => [role, expected[i]!])) as Record<Role, Expected>;
}

/** A GET of `url`, which the route `route` serves. */
function page(route: string, url: string, ...expected: Expected[]): Row {
  return new Row("GET", route, url, null, {}, byRole(url, expected));
}

/** A POST of a form to `url` with its `intent` (null for a form without one) and the other `fields`. */
function post(route: string, url: string, intent: string | null, fields: Record<string, string>, ...expected: Expected[]): Row {
  return new Row("POST", route, url, intent, fields, byRole(`${url} ${intent}`, expected));
}

const PAGES: Row[] = [
  //   route                             URL                                        anonymous  unverified  attendee  member  moderator  organizer  admin
  page("/",                             "/",                                       200,       200,        200,      200,    200,       200,       200),
  page("/pages/:slug",                  "/pages/about",                            200,       200,        200,      200,    200,       200,       200),
  page("/pages/:slug",                  "/pages/no-such-page",                     404,       404,        404,      404,    404,       404,       404),
  page("/register",                     "/register",                               200,       200,        200,      200,    200,       200,       200),
  page("/register",                     "/register?invitation=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 200, 200, 200,    200,    200,       200,       200),
  // What a seat at the conference opens: only for those who hold one (the directory also for staff).
  page("/register/breakouts",           "/register/breakouts",                     SIGN_IN,   VERIFY,     403,      403,    403,       403,       403)
    .also({ "registered attendee": 200 }),
  page("/register/badge",               "/register/badge",                         SIGN_IN,   VERIFY,     403,      403,    403,       403,       403)
    .also({ "registered attendee": 200 }),
  page("/register/directory",           "/register/directory",                     SIGN_IN,   VERIFY,     403,      403,    403,       200,       200)
    .also({ "registered attendee": 200 }),

  // The program: public sessions for everyone; a members' session is absent (404) for whoever may not see it.
  page("/agenda",                       "/agenda",                                 200,       200,        200,      200,    200,       200,       200),
  page("/agenda",                       "/agenda?tz=Asia/Kolkata&q=fentanyl",      200,       200,        200,      200,    200,       200,       200),
  page("/conferences/:slug/agenda",     "/conferences/fotc-2026/agenda",           200,       200,        200,      200,    200,       200,       200),
  page("/conferences/:slug/agenda",     "/conferences/no-such-edition/agenda",     404,       404,        404,      404,    404,       404,       404),
  page("/agenda/tracks/:slug",          "/agenda/tracks/dark-web",                 200,       200,        200,      200,    200,       200,       200),
  page("/agenda/tracks/:slug",          "/agenda/tracks/no-such-track",            404,       404,        404,      404,    404,       404,       404),
  page("/agenda/sessions/:id",          "/agenda/sessions/{session}",              200,       200,        200,      200,    200,       200,       200),
  page("/agenda/sessions/:id",          "/agenda/sessions/{members-session}",      404,       404,        404,      200,    200,       200,       200)
    .also({ "session speaker": 200, "group manager": 404 }),
  // For the edition's approved registrations: absent for anyone else, a vetted member included; staff see it.
  page("/agenda/sessions/:id",          "/agenda/sessions/{attendees-session}",    404,       404,        404,      404,    404,       200,       200)
    .also({ "registered attendee": 200 }),
  page("/agenda/sessions/:id",          "/agenda/sessions/{unknown-application}",  404,       404,        404,      404,    404,       404,       404),
  page("/agenda/sessions/:id",          "/agenda/sessions/not-an-id",              404,       404,        404,      404,    404,       404,       404),
  page("/agenda/sessions/:id.ics",      "/agenda/sessions/{session}.ics",          200,       200,        200,      200,    200,       200,       200),
  page("/agenda/sessions/:id.ics",      "/agenda/sessions/{members-session}.ics",  404,       404,        404,      200,    200,       200,       200)
    .also({ "session speaker": 200 }),
  page("/agenda/changes",               "/agenda/changes",                         200,       200,        200,      200,    200,       200,       200),
  page("/agenda/mine",                  "/agenda/mine",                            SIGN_IN,   VERIFY,     200,      200,    200,       200,       200),
  page("/agenda.ics",                   "/agenda.ics",                             200,       200,        200,      200,    200,       200,       200),
  page("/agenda/feed/:token.ics",       "/agenda/feed/{feed}.ics",                 200,       200,        200,      200,    200,       200,       200),
  page("/agenda/feed/:token.ics",       "/agenda/feed/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.ics", 404, 404,  404,      404,    404,       404,       404),
  page("/agenda/schedule.json",         "/agenda/schedule.json",                   200,       200,        200,      200,    200,       200,       200),
  page("/agenda/tracks.css",            "/agenda/tracks.css",                      200,       200,        200,      200,    200,       200,       200),
  page("/speakers",                     "/speakers",                               200,       200,        200,      200,    200,       200,       200),
  page("/speakers/:slug",               "/speakers/dana-whitfield",                200,       200,        200,      200,    200,       200,       200),
  // Speaks only in members' sessions: that he speaks at all is for those who may see them.
  page("/speakers/:slug",               "/speakers/brendan-omalley",               404,       404,        404,      200,    200,       200,       200)
    .also({ "session speaker": 200 }),
  page("/speakers/:slug",               "/speakers/no-such-person",                404,       404,        404,      404,    404,       404,       404),

  page("/signup",                       "/signup",                                 200,       ACCOUNT,    ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  page("/login",                        "/login",                                  200,       ACCOUNT,    ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  page("/login/mfa",                    "/login/mfa",                              "302 /login", ACCOUNT, ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  page("/logout",                       "/logout",                                 "302 /",   "302 /",    "302 /",  "302 /", "302 /",   "302 /",   "302 /"),
  page("/verify-email",                 "/verify-email",                           200,       200,        ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  page("/forgot-password",              "/forgot-password",                        200,       200,        200,      200,    200,       200,       200),
  page("/reset-password",               "/reset-password",                         200,       200,        200,      200,    200,       200,       200),

  page("/account",                      "/account",                                SIGN_IN,   200,        200,      200,    200,       200,       200),
  page("/account/security",             "/account/security",                       SIGN_IN,   200,        200,      200,    200,       200,       200),
  page("/account/email/confirm",        "/account/email/confirm",                  200,       200,        200,      200,    200,       200,       200),
  page("/account/mfa",                  "/account/mfa",                            SIGN_IN,   VERIFY,     200,      200,    200,       200,       200),
  page("/account/export",               "/account/export",                         SIGN_IN,   200,        200,      200,    200,       200,       200),
  page("/account/delete",               "/account/delete",                         SIGN_IN,   200,        200,      200,    200,       200,       200),

  page("/vetting",                      "/vetting",                                SIGN_IN,   VERIFY,     200,      200,    200,       200,       200),
  page("/vetting/verify",               "/vetting/verify",                         200,       200,        200,      200,    200,       200,       200),
  // A signed-in account outside the members' area is told why (403 with its application's state), never bounced.
  page("/members",                      "/members",                                SIGN_IN,   403,        403,      200,    200,       200,       200),
  page("/members/vouch",                "/members/vouch",                          SIGN_IN,   VERIFY,     403,      200,    200,       403,       200),
  page("/forum",                        "/forum",                                  SIGN_IN,   403,        403,      200,    200,       403,       200),

  page("/admin",                        "/admin",                                  SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  page("/admin/vetting",                "/admin/vetting",                          SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  page("/admin/vetting/:applicationId", "/admin/vetting/{application}",            SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  page("/admin/vetting/:applicationId", "/admin/vetting/{unknown-application}",    SIGN_IN,   VERIFY,     403,      403,    403,       404,       404),
  page("/admin/vetting/:applicationId", "/admin/vetting/not-an-id",                SIGN_IN,   VERIFY,     403,      403,    403,       404,       404),
  page("/admin/allowlist",              "/admin/allowlist",                        SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  page("/admin/members",                "/admin/members",                          SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  page("/admin/users",                  "/admin/users",                            SIGN_IN,   VERIFY,     403,      403,    403,       403,       200),
  page("/admin/users/:userId",          "/admin/users/{outsider}",                 SIGN_IN,   VERIFY,     403,      403,    403,       403,       200),
  page("/admin/users/:userId",          "/admin/users/{unknown-group}",            SIGN_IN,   VERIFY,     403,      403,    403,       403,       404),
  page("/admin/users/:userId",          "/admin/users/not-an-id",                  SIGN_IN,   VERIFY,     403,      403,    403,       403,       404),
  page("/admin/groups",                 "/admin/groups",                           SIGN_IN,   VERIFY,     403,      403,    403,       200,       200)
    .also({ "group manager": 200, "group member": 403 }),
  page("/admin/groups/:groupId",        "/admin/groups/{group}",                   SIGN_IN,   VERIFY,     404,      404,    404,       200,       200)
    .also({ "group manager": 200, "group member": 403 }),
  page("/admin/groups/:groupId",        "/admin/groups/{unknown-group}",           SIGN_IN,   VERIFY,     404,      404,    404,       404,       404)
    .also({ "group manager": 404, "group member": 404 }),
  page("/admin/groups/:groupId",        "/admin/groups/not-an-id",                 SIGN_IN,   VERIFY,     404,      404,    404,       404,       404),
  page("/admin/audit",                  "/admin/audit",                            SIGN_IN,   VERIFY,     403,      403,    403,       403,       200),
  page("/admin/outbox",                 "/admin/outbox",                           SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  page("/admin/registrations",          "/admin/registrations",                    SIGN_IN,   VERIFY,     403,      403,    403,       200,       200)
    .also({ "registered attendee": 403 }),
  page("/admin/registrations",          "/admin/registrations?q=%3D1&status=approved&category=us_federal", SIGN_IN, VERIFY, 403, 403, 403, 200,    200),
  page("/admin/registrations/settings", "/admin/registrations/settings",           SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  page("/admin/registrations.csv",      "/admin/registrations.csv",                SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  page("/admin/check-in",               "/admin/check-in",                         SIGN_IN,   VERIFY,     403,      403,    403,       200,       200)
    .also({ "registered attendee": 403 }),
  page("/admin/check-in/scans",         "/admin/check-in/scans",                   SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  page("/admin/agenda",                 "/admin/agenda",                           SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  page("/admin/agenda/sessions/new",    "/admin/agenda/sessions/new",              SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  page("/admin/agenda/sessions/:id",    "/admin/agenda/sessions/{session}",        SIGN_IN,   VERIFY,     403,      403,    403,       200,       200),
  page("/admin/agenda/sessions/:id",    "/admin/agenda/sessions/{unknown-application}", SIGN_IN, VERIFY,   403,      403,    403,       404,       404),

  page("/*",                            "/no/such/page-anywhere",                  404,       404,        404,      404,    404,       404,       404),
];

/** Answers the registration form accepts for the demo edition (7–11 June 2027). */
const UPDATE = { category: "us_federal", agency: "Postal Inspection Service", jobTitle: "Inspector", country: "US", arrivalOn: "2027-06-06", departureOn: "2027-06-11" };

const ACTIONS: Row[] = [
  //   route                             URL                              intent           fields                                  anonymous  unverified  attendee  member  moderator  organizer  admin
  post("/signup",                       "/signup",                       null,            {},                                     400,       ACCOUNT,    ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  post("/login",                        "/login",                        null,            {},                                     400,       ACCOUNT,    ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  post("/login/mfa",                    "/login/mfa",                    null,            {},                                     "302 /login", ACCOUNT, ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  post("/logout",                       "/logout",                       null,            {},                                     "302 /",   "302 /",    "302 /",  "302 /", "302 /",   "302 /",   "302 /"),
  post("/verify-email",                 "/verify-email",                 "verify",        {},                                     400,       400,        ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  post("/verify-email",                 "/verify-email",                 "resend",        {},                                     SIGN_IN,   200,        ACCOUNT,  ACCOUNT, ACCOUNT,  ACCOUNT,   ACCOUNT),
  post("/forgot-password",              "/forgot-password",              null,            {},                                     400,       400,        400,      400,    400,       400,       400),
  post("/reset-password",               "/reset-password",               null,            {},                                     400,       400,        400,      400,    400,       400,       400),

  post("/account",                      "/account",                      null,            {},                                     SIGN_IN,   400,        400,      400,    400,       400,       400),
  post("/account/security",             "/account/security",             "password",      {},                                     SIGN_IN,   400,        400,      400,    400,       400,       400),
  post("/account/security",             "/account/security",             "email",         {},                                     SIGN_IN,   400,        400,      400,    400,       400,       400),
  post("/account/security",             "/account/security",             "sessions",      {},                                     SIGN_IN,   200,        200,      200,    200,       200,       200),
  post("/account/email/confirm",        "/account/email/confirm",        null,            {},                                     400,       400,        400,      400,    400,       400,       400),
  post("/account/mfa",                  "/account/mfa",                  "enrol",         {},                                     SIGN_IN,   VERIFY,     400,      400,    400,       400,       400),
  post("/account/mfa",                  "/account/mfa",                  "regenerate",    {},                                     SIGN_IN,   VERIFY,     400,      400,    400,       400,       400),
  post("/account/mfa",                  "/account/mfa",                  "disable",       {},                                     SIGN_IN,   VERIFY,     400,      400,    400,       400,       400),
  post("/account/delete",               "/account/delete",               null,            {},                                     SIGN_IN,   400,        400,      400,    400,       400,       400),

  post("/vetting",                      "/vetting",                      "apply",         {},                                     SIGN_IN,   VERIFY,     400,      400,    400,       400,       400),
  post("/vetting",                      "/vetting",                      "reply",         {},                                     SIGN_IN,   VERIFY,     400,      400,    400,       400,       400),
  post("/vetting",                      "/vetting",                      "withdraw",      {},                                     SIGN_IN,   VERIFY,     400,      400,    400,       400,       400),
  // Nobody here has an application waiting for its official address to be confirmed.
  post("/vetting",                      "/vetting",                      "resend",        {},                                     SIGN_IN,   VERIFY,     409,      409,    409,       409,       409),
  post("/vetting/verify",               "/vetting/verify",               null,            {},                                     400,       400,        400,      400,    400,       400,       400),
  post("/members/vouch",                "/members/vouch",                null,            {},                                     SIGN_IN,   VERIFY,     403,      400,    400,       403,       400),

  post("/admin/vetting/:applicationId", "/admin/vetting/{unknown-application}", "approve", {},                                    SIGN_IN,   VERIFY,     403,      403,    403,       404,       404),
  post("/admin/vetting/:applicationId", "/admin/vetting/{application}", "request_info", {},                                       SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/vetting/:applicationId", "/admin/vetting/{application}", "reject",  {},                                            SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/allowlist",              "/admin/allowlist",              "add",           {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/allowlist",              "/admin/allowlist",              "remove",        {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/members",                "/admin/members",                "suspend",       {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/members",                "/admin/members",                "reinstate",     {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  // Ending the sessions of an account that has none, or reinstating one that is not suspended, changes nothing: 200.
  post("/admin/users/:userId",          "/admin/users/{outsider}",       "grant",         {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       403,       400),
  post("/admin/users/:userId",          "/admin/users/{outsider}",       "revoke",        {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       403,       400),
  post("/admin/users/:userId",          "/admin/users/{outsider}",       "end-sessions",  {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       403,       200),
  post("/admin/users/:userId",          "/admin/users/{outsider}",       "suspend",       {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       403,       400),
  post("/admin/users/:userId",          "/admin/users/{outsider}",       "reinstate",     {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       403,       200),
  post("/admin/users/:userId",          "/admin/users/{unknown-group}",  "reinstate",     {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       403,       404),
  post("/admin/groups",                 "/admin/groups",                 "create",        {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400)
    .also({ "group manager": 403, "group member": 403 }),
  // Adding the same bystander again and again answers 200 each time; removing someone never in the group as well.
  post("/admin/groups/:groupId",        "/admin/groups/{group}",         "add",           { email: "{bystander}", role: "member" }, SIGN_IN, VERIFY,  404,      404,    404,       200,       200)
    .also({ "group manager": 200, "group member": 403 }),
  post("/admin/groups/:groupId",        "/admin/groups/{group}",         "remove",        { userId: "{outsider}" },               SIGN_IN,   VERIFY,     404,      404,    404,       200,       200)
    .also({ "group manager": 200, "group member": 403 }),
  post("/admin/groups/:groupId",        "/admin/groups/{unknown-group}", "add",           { email: "{bystander}", role: "member" }, SIGN_IN, VERIFY,  404,      404,    404,       404,       404)
    .also({ "group manager": 404, "group member": 404 }),

  // Stars come from a component (a fetcher or a plain form) whose intent is the star's state. A star can always be
  // taken back, even from a session one no longer sees (it says nothing of whether the session exists).
  post("/agenda/sessions/:id",          "/agenda/sessions/{session}",    "star",          {},                                     SIGN_IN,   VERIFY,     200,      200,    200,       200,       200),
  post("/agenda/sessions/:id",          "/agenda/sessions/{members-session}", "star",     {},                                     SIGN_IN,   VERIFY,     404,      200,    200,       200,       200),
  post("/agenda/sessions/:id",          "/agenda/sessions/{attendees-session}", "star",   {},                                     SIGN_IN,   VERIFY,     404,      404,    404,       200,       200)
    .also({ "registered attendee": 200 }),
  post("/agenda/sessions/:id",          "/agenda/sessions/{session}",    "unstar",        {},                                     SIGN_IN,   VERIFY,     200,      200,    200,       200,       200),
  post("/agenda/sessions/:id",          "/agenda/sessions/{attendees-session}", "unstar", {},                                     SIGN_IN,   VERIFY,     200,      200,    200,       200,       200),
  post("/agenda/mine",                  "/agenda/mine",                  "create-feed",   {},                                     SIGN_IN,   VERIFY,     200,      200,    200,       200,       200),
  post("/agenda/mine",                  "/agenda/mine",                  "revoke-feed",   {},                                     SIGN_IN,   VERIFY,     200,      200,    200,       200,       200),
  post("/register",                     "/register",                     "register",      {},                                     SIGN_IN,   VERIFY,     400,      400,    400,       400,       400),
  post("/register",                     "/register",                     "update",        {},                                     SIGN_IN,   VERIFY,     400,      400,    400,       400,       400)
    .also({ "registered attendee": 400 }),
  // Valid answers: only someone with an open registration has one to change.
  post("/register",                     "/register",                     "update",        UPDATE,                                 SIGN_IN,   VERIFY,     409,      409,    409,       409,       409)
    .also({ "registered attendee": "302 /register" }),
  post("/register/breakouts",           "/register/breakouts",           "sign-up",       { sessionId: "{breakout}" },            SIGN_IN,   VERIFY,     403,      403,    403,       403,       403)
    .also({ "registered attendee": "302 /register/breakouts" }),
  post("/register/breakouts",           "/register/breakouts",           "withdraw",      { sessionId: "{breakout}" },            SIGN_IN,   VERIFY,     403,      403,    403,       403,       403)
    .also({ "registered attendee": "302 /register/breakouts" }),
  // Nobody here but the registered attendee has a registration to cancel. After the breakout rows: the cancel gives up
  // the seat they use.
  post("/register",                     "/register",                     "cancel",        {},                                     SIGN_IN,   VERIFY,     409,      409,    409,       409,       409)
    .also({ "registered attendee": "302 /register" }),
  post("/admin/registrations",          "/admin/registrations",          "approve",       {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400)
    .also({ "registered attendee": 403 }),
  post("/admin/registrations",          "/admin/registrations",          "waitlist",      {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/registrations",          "/admin/registrations",          "decline",       {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/registrations",          "/admin/registrations",          "invite",        {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/registrations",          "/admin/registrations",          "revoke-invitation", {},                                 SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/registrations/settings", "/admin/registrations/settings", null,            {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/check-in",               "/admin/check-in",               "check-in",      {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400)
    .also({ "registered attendee": 403 }),
  // A phone's queue of scans, as JSON: a form body is refused.
  post("/admin/check-in/scans",         "/admin/check-in/scans",         null,            {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/agenda",                 "/admin/agenda",                 "publish",       {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       "302 /admin/agenda", "302 /admin/agenda"),
  post("/admin/agenda/sessions/new",    "/admin/agenda/sessions/new",    null,            {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/agenda/sessions/:id",    "/admin/agenda/sessions/{session}", "save",       {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       400,       400),
  post("/admin/agenda/sessions/:id",    "/admin/agenda/sessions/{cancel-session}", "cancel", {},                                  SIGN_IN,   VERIFY,     403,      403,    403,       "302 /admin/agenda/sessions/{cancel-session}", "302 /admin/agenda/sessions/{cancel-session}"),
  // Reinstating a session that was never cancelled changes nothing, and says where it stands.
  post("/admin/agenda/sessions/:id",    "/admin/agenda/sessions/{session}", "reinstate",  {},                                     SIGN_IN,   VERIFY,     403,      403,    403,       "302 /admin/agenda/sessions/{session}", "302 /admin/agenda/sessions/{session}"),
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
  withoutMfa("/admin/users/{outsider}", 403, 403,       403,       MFA),
  withoutMfa("/admin/groups",        403,    403,       MFA,       MFA),
  withoutMfa("/admin/groups/{group}", 404,   404,       MFA,       MFA),
  withoutMfa("/admin/audit",         403,    403,       403,       MFA),
  withoutMfa("/admin/outbox",        403,    403,       MFA,       MFA),
  withoutMfa("/admin/agenda",        403,    403,       MFA,       MFA),
  withoutMfa("/admin/registrations", 403,    403,       MFA,       MFA),
  withoutMfa("/admin/registrations/settings", 403, 403, MFA,       MFA),
  withoutMfa("/admin/registrations.csv", 403, 403,      MFA,       MFA),
  withoutMfa("/admin/check-in",      403,    403,       MFA,       MFA),
  withoutMfa("/admin/check-in/scans", 403,   403,       MFA,       MFA),
  withoutMfa("/register",            200,    200,       200,       200),
  withoutMfa("/admin/agenda/sessions/{session}", 403, 403, MFA,      MFA),
  // A member without the second factor sees what an attendee sees of the program.
  withoutMfa("/agenda/sessions/{members-session}", 404, 404, 404,    404),
  withoutMfa("/agenda/sessions/{attendees-session}", 404, 404, 404,  404),
  // What any signed-in account may do needs no second factor.
  withoutMfa("/account",             200,    200,       200,       200),
  withoutMfa("/account/mfa",         200,    200,       200,       200),
  withoutMfa("/vetting",             200,    200,       200,       200),
];

function withoutMfa(url: string, ...expected: Expected[]) {
  return { url, expected: Object.fromEntries(PRIVILEGED.map((role, i) => [role, expected[i]!])) as Record<PrivilegedRole, Expected> };
}

const USERS: Record<Exclude<Viewer, "anonymous">, { traits: ("verified" | "member")[]; roles: GrantedRole[] }> = {
  unverified: { traits: [], roles: [] },
  attendee: { traits: ["verified"], roles: [] },
  member: { traits: ["verified", "member"], roles: [] },
  moderator: { traits: ["verified", "member"], roles: ["moderator"] },
  organizer: { traits: ["verified"], roles: ["organizer"] },
  admin: { traits: ["verified"], roles: ["admin"] },
  "group manager": { traits: ["verified"], roles: [] },
  "group member": { traits: ["verified"], roles: [] },
  "session speaker": { traits: ["verified"], roles: [] },
  "registered attendee": { traits: ["verified"], roles: [] },
};

type Accounts = Record<Exclude<Viewer, "anonymous">, string>;
/** One account per viewer for the pages, another for the forms: a form that ends "other sessions" cannot touch a page's. */
const accounts = { pages: {} as Accounts, actions: {} as Accounts };
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  for (const viewer of Object.keys(USERS) as (keyof typeof USERS)[]) {
    accounts.pages[viewer] = (await createUser(USERS[viewer])).id;
    accounts.actions[viewer] = (await createUser(USERS[viewer])).id;
  }
  const applicant = await createUser({ traits: ["verified"], name: "Fixture Applicant" });
  FIXTURE.application = (await createApplication(applicant)).applicationId;
  const [bystander, outsider] = [await createUser({ name: "Bystander" }), await createUser({ name: "Outsider" })];
  FIXTURE.bystander = bystander.email;
  FIXTURE.outsider = outsider.id;
  const both = (persona: Persona) => [{ id: accounts.pages[persona] }, { id: accounts.actions[persona] }];
  FIXTURE.group = (await createGroup({ managers: both("group manager"), members: both("group member") })).id;
  await importProgram(path.resolve("content/program"));
  FIXTURE.session = await demoSessionId("opening-plenary");
  FIXTURE["members-session"] = await demoSessionId("live-case-review");
  FIXTURE["attendees-session"] = await demoSessionId("conference-dinner");
  FIXTURE["cancel-session"] = await demoSessionId("fri-coffee");
  FIXTURE.feed = await createFeedToken({ id: accounts.pages.attendee });
  FIXTURE.breakout = await demoSessionId("k9-night-demonstration");
  const [current] = await getDb().select({ id: conferences.id }).from(conferences).where(eq(conferences.current, true));
  for (const account of [accounts.pages, accounts.actions]) {
    await createRegistration({ id: account["registered attendee"] }, current!.id, "approved");
  }
  // Brendan O'Malley speaks only in members' sessions, among them {members-session}.
  await getDb().update(speakers).set({ userId: accounts.pages["session speaker"] }).where(eq(speakers.slug, "brendan-omalley"));
});

/** A session of the current demo edition, by its file name. */
async function demoSessionId(key: string): Promise<string> {
  const [row] = await getDb()
    .select({ id: programSessions.id })
    .from(programSessions)
    .innerJoin(conferences, eq(conferences.id, programSessions.conferenceId))
    .where(and(eq(conferences.current, true), eq(programSessions.sourceKey, key)));
  return row!.id;
}

afterAll(async () => {
  await app?.close();
});

/** A new session of the viewer's account: privileged roles pass the second factor unless told otherwise. */
async function clientFor(viewer: Viewer, options: { mfaVerified?: boolean; account?: keyof typeof accounts } = {}): Promise<TestClient> {
  const client = app.client();
  if (viewer === "anonymous") return client;
  const mfaVerified = options.mfaVerified ?? (PRIVILEGED as readonly string[]).includes(viewer);
  const { token } = await createUserSession(accounts[options.account ?? "pages"][viewer], { mfaVerified });
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

/** An expected redirect may name a fixture, as in "302 /admin/agenda/sessions/{cancel-session}". */
function expectedOf(expected: Expected): Expected {
  return typeof expected === "string" ? (concrete(expected) as Expected) : expected;
}

async function request(client: TestClient, row: Row) {
  const url = concrete(row.url);
  if (row.method === "GET") return { url, res: await client.get(url) };
  const fields = Object.fromEntries(Object.entries(row.fields).map(([name, value]) => [name, concrete(value)]));
  return { url, res: await client.post(url, row.intent === null ? fields : { intent: row.intent, ...fields }) };
}

describe("the table is complete", () => {
  async function serverBuild(): Promise<ServerBuild> {
    return (await import(/* @vite-ignore */ pathToFileURL(path.resolve("build/server/index.js")).href)) as ServerBuild;
  }

  /** The URL pattern of each route of the build, by route id. */
  function routePatterns(build: ServerBuild): Map<string, string> {
    const patterns = new Map<string, string>();
    for (const [id, route] of Object.entries(build.routes)) {
      if (!route || id === "root" || (route.path === undefined && !route.index)) continue;
      const segments: string[] = [];
      for (let at: typeof route | undefined = route; at; at = at.parentId ? build.routes[at.parentId] : undefined) {
        if (at.path) segments.unshift(at.path);
      }
      patterns.set(id, `/${segments.join("/")}`);
    }
    return patterns;
  }

  /** The module file of each URL pattern, from app/routes.ts. */
  function routeFiles(entries: RouteConfigEntry[] = routeConfig, parent = ""): Map<string, string> {
    const files = new Map<string, string>();
    for (const entry of entries) {
      const pattern = entry.path ? `${parent}/${entry.path}` : parent || "/";
      files.set(pattern, entry.file);
      for (const [child, file] of routeFiles(entry.children ?? [], pattern)) files.set(child, file);
    }
    return files;
  }

  /**
   * The intents written in a module's forms: `<ValidatedForm intent="…">` (or a component's prop of that name),
   * `name="intent" value="…"`, or a button whose value is one of several, `name="intent" value={starred ? "…" : "…"}`.
   */
  function intentsOf(source: string): string[] {
    const literal = [...source.matchAll(/(?:\bintent|name="intent"\s+value)="([^"]+)"/g)].map((match) => match[1]!);
    const chosen = [...source.matchAll(/name="intent"\s+value=\{([^}]*)\}/g)].flatMap((match) => [...match[1]!.matchAll(/"([^"]+)"/g)].map((value) => value[1]!));
    return [...literal, ...chosen];
  }

  /** The intents a route module's own forms send, read from its source. */
  function intentsIn(file: string): string[] {
    return intentsOf(fs.readFileSync(path.resolve("app", file), "utf8"));
  }

  /**
   * The intents components send to a route named by their form's `action`, by URL pattern: the star button posts to
   * its session from every page that shows it. A component without an action posts to the page that renders it, and
   * takes its intent as a prop there (`<RegistrationFormFields intent="update">`), which that route's scan reads.
   */
  function componentIntents(patterns: string[]): Map<string, string[]> {
    const shape = (url: string) => url.replace(/\$\{[^}]+\}|:\w+/g, "*");
    const found = new Map<string, string[]>();
    for (const file of fs.readdirSync(path.resolve("app/components"), { recursive: true, encoding: "utf8" })) {
      if (!file.endsWith(".tsx")) continue;
      const source = fs.readFileSync(path.resolve("app/components", file), "utf8");
      // The path of the form's address: a query (the star button's `?returnTo=`) names no other action.
      const action = /\baction=\{?[`"](\/[^`"?]*)[`"?]/.exec(source)?.[1];
      if (action === undefined) continue;
      const pattern = patterns.find((candidate) => shape(candidate) === shape(action));
      if (!pattern) throw new Error(`app/components/${file} posts to ${action}, which no route serves`);
      found.set(pattern, [...(found.get(pattern) ?? []), ...intentsOf(source)]);
    }
    return found;
  }

  test("every route of the server build has a page row, and every row a route", async () => {
    const built = new Set((routePatterns(await serverBuild())).values());
    const tabled = new Set(PAGES.map((row) => row.route));
    expect(built.size).toBeGreaterThan(30);
    expect([...built].filter((route) => !tabled.has(route)), "routes missing from the access matrix").toEqual([]);
    expect([...tabled].filter((route) => !built.has(route)), "routes in the matrix that the app does not have").toEqual([]);
  });

  test("every action has a row per intent its forms send, and no row names an action or intent that does not exist", async () => {
    const build = await serverBuild();
    const files = routeFiles();
    const patterns = routePatterns(build);
    const fromComponents = componentIntents([...patterns.values()]);
    const wanted: string[] = [];
    for (const [id, pattern] of patterns) {
      if (!build.routes[id]?.module.action) continue;
      const file = files.get(pattern);
      if (!file) throw new Error(`app/routes.ts has no route ${pattern}`);
      const intents = [...new Set([...intentsIn(file), ...(fromComponents.get(pattern) ?? [])])].sort();
      for (const intent of intents.length > 0 ? intents : [null]) wanted.push(`${pattern} ${intent ?? "(no intent)"}`);
    }
    const tabled = [...new Set(ACTIONS.map((row) => `${row.route} ${row.intent ?? "(no intent)"}`))];
    expect(wanted.length).toBeGreaterThan(30);
    expect(wanted.filter((key) => !tabled.includes(key)), "actions and intents missing from the access matrix").toEqual([]);
    expect(tabled.filter((key) => !wanted.includes(key)), "actions or intents in the matrix that the app does not have").toEqual([]);
  });
});

describe("every page and every form as every role and persona (privileged sessions verified with MFA)", () => {
  const clients = {} as Record<Viewer, TestClient>;

  beforeAll(async () => {
    for (const viewer of [...ROLES, ...PERSONAS]) clients[viewer] = await clientFor(viewer);
  });

  test.each(PAGES.map((row) => [row.label, row] as const))("%s", async (_label, row) => {
    const problems: string[] = [];
    for (const [viewer, expected] of Object.entries(row.expected) as [Viewer, Expected][]) {
      const { url, res } = await request(clients[viewer], row);
      const problem = mismatch(expectedOf(expected), url, res.status, res.location);
      if (problem) problems.push(`GET ${url} as ${viewer}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  // Each POST gets a session of its own: signing out or a changed account must not leak into the next row.
  test.each(ACTIONS.map((row) => [row.label, row] as const))("%s", async (_label, row) => {
    const problems: string[] = [];
    for (const [viewer, expected] of Object.entries(row.expected) as [Viewer, Expected][]) {
      const { url, res } = await request(await clientFor(viewer, { account: "actions" }), row);
      const problem = mismatch(expectedOf(expected), url, res.status, res.location);
      if (problem) problems.push(`${row.label} as ${viewer}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });
});

describe("privileged roles without a verified second factor", () => {
  const clients = {} as Record<PrivilegedRole, TestClient>;

  beforeAll(async () => {
    for (const role of PRIVILEGED) clients[role] = await clientFor(role, { mfaVerified: false });
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
