import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import { pgTable, text, uuid } from "drizzle-orm/pg-core";
import { beforeAll, describe, expect, it } from "vitest";
import { database, getDb, observeQueries } from "#db/client.ts";
import { groupMembers, groups, type Audience } from "#db/schema/access.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { validateSessionToken } from "../accounts/sessions.ts";
import { accessScope, ANONYMOUS, canSee, visibleTo, type AccessScope } from "./audience.ts";
import { accessScopesOfUsers } from "./viewer-access.ts";

/**
 * The model against real SQL: a table with rows of every audience, read through `visibleTo` as every kind of
 * viewer, with the exact rows each may see, and `canSee` agreeing with the query row by row.
 */
const protectedRows = pgTable("access_test_rows", {
  label: text().primaryKey(),
  audience: text().$type<Audience>().notNull(),
  conferenceId: uuid(),
  groupId: uuid(),
  // Two owner columns, as a session has a speaker and a co-speaker.
  authorId: uuid(),
  speakerId: uuid(),
});
type ProtectedRow = typeof protectedRows.$inferSelect;

const CONFERENCE_A = crypto.randomUUID();
const CONFERENCE_B = crypto.randomUUID();
const ids = { groupOne: "", groupTwo: "", owner: "", stranger: "" };

const columns = {
  audience: protectedRows.audience,
  conferenceId: protectedRows.conferenceId,
  groupId: protectedRows.groupId,
  ownerIds: [protectedRows.authorId, protectedRows.speakerId],
};

async function visibleLabels(scope: AccessScope): Promise<string[]> {
  const found = await getDb()
    .select({ label: protectedRows.label })
    .from(protectedRows)
    .where(visibleTo(scope, columns));
  // Sorted here: the server's collation would order hyphens differently from PGlite's.
  return found.map((row) => row.label).sort();
}

async function allRows(): Promise<ProtectedRow[]> {
  return (await getDb().select().from(protectedRows)).sort((a, b) => (a.label < b.label ? -1 : 1));
}

/** The labels that `visibleTo` returns, after checking that `canSee` says the same of every row. */
async function seenBy(scope: AccessScope): Promise<string[]> {
  const visible = await visibleLabels(scope);
  const disagreements = (await allRows())
    .filter((row) => canSee(scope, { ...row, ownerIds: [row.authorId, row.speakerId] }) !== visible.includes(row.label))
    .map((row) => row.label);
  expect(disagreements, "rows on which canSee and visibleTo disagree").toEqual([]);
  return visible;
}

const PUBLIC = ["public", "public-authored"];

beforeAll(async () => {
  const [owner, stranger] = await Promise.all([createUser({ name: "Owner" }), createUser({ name: "Stranger" })]);
  ids.owner = owner.id;
  ids.stranger = stranger.id;
  const [one, two] = await getDb()
    .insert(groups)
    .values([
      { kind: "agency", name: "Group One", slug: "group-one" },
      { kind: "community", name: "Group Two", slug: "group-two" },
    ])
    .returning({ id: groups.id });
  ids.groupOne = one!.id;
  ids.groupTwo = two!.id;

  await database().rows(sql`
    create table access_test_rows (
      label text primary key,
      audience text not null,
      conference_id uuid,
      group_id uuid,
      author_id uuid,
      speaker_id uuid
    )`);
  const row = (label: string, audience: Audience, extra: Partial<ProtectedRow> = {}) => ({ label, audience, ...extra });
  await getDb()
    .insert(protectedRows)
    .values([
      row("public", "public"),
      row("public-authored", "public", { authorId: ids.owner }),
      row("attendees-a", "attendees", { conferenceId: CONFERENCE_A }),
      row("attendees-b", "attendees", { conferenceId: CONFERENCE_B }),
      row("attendees-b-spoken", "attendees", { conferenceId: CONFERENCE_B, speakerId: ids.owner }),
      row("attendees-no-conference", "attendees"),
      row("members", "members"),
      row("members-authored", "members", { authorId: ids.owner }),
      row("staff", "staff"),
      row("staff-authored", "staff", { authorId: ids.owner }),
      row("staff-spoken", "staff", { speakerId: ids.owner }),
      row("staff-stranger-authored", "staff", { authorId: ids.stranger }),
      row("group-one", "group", { groupId: ids.groupOne }),
      row("group-two", "group", { groupId: ids.groupTwo }),
      row("group-two-authored", "group", { groupId: ids.groupTwo, authorId: ids.owner }),
      row("group-none", "group"),
    ]);
});

describe("visibleTo and canSee, for every kind of viewer", () => {
  const signedIn = (overrides: Partial<AccessScope>): AccessScope => ({ ...ANONYMOUS, userId: crypto.randomUUID(), ...overrides });

  it("shows an anonymous viewer the public rows only", async () => {
    expect(await seenBy(ANONYMOUS)).toEqual(PUBLIC);
  });

  it("shows an attendee without registrations or groups what an anonymous viewer sees", async () => {
    expect(await seenBy(signedIn({}))).toEqual(PUBLIC);
  });

  it("shows a registered attendee their conference's rows, not another conference's", async () => {
    expect(await seenBy(signedIn({ attending: [CONFERENCE_A] }))).toEqual(["attendees-a", ...PUBLIC]);
    expect(await seenBy(signedIn({ attending: [CONFERENCE_A, CONFERENCE_B] }))).toEqual([
      "attendees-a",
      "attendees-b",
      "attendees-b-spoken",
      ...PUBLIC,
    ]);
  });

  it("shows a member the members' rows", async () => {
    expect(await seenBy(signedIn({ member: true }))).toEqual(["members", "members-authored", ...PUBLIC]);
  });

  it("shows staff every row", async () => {
    expect(await seenBy(signedIn({ staff: true }))).toEqual((await allRows()).map((row) => row.label));
  });

  it("shows a group's member that group's rows, not another group's", async () => {
    expect(await seenBy(signedIn({ groups: [ids.groupOne] }))).toEqual(["group-one", ...PUBLIC]);
    expect(await seenBy(signedIn({ groups: [ids.groupTwo] }))).toEqual(["group-two", "group-two-authored", ...PUBLIC]);
  });

  it("shows an owner their own rows whatever their audience, through either owner column", async () => {
    expect(await seenBy(signedIn({ userId: ids.owner }))).toEqual([
      "attendees-b-spoken",
      "group-two-authored",
      "members-authored",
      ...PUBLIC,
      "staff-authored",
      "staff-spoken",
    ]);
  });

  it("adds up what each part of a viewer opens", async () => {
    const scope = signedIn({ userId: ids.owner, member: true, attending: [CONFERENCE_A], groups: [ids.groupOne] });
    expect(await seenBy(scope)).toEqual([
      "attendees-a",
      "attendees-b-spoken",
      "group-one",
      "group-two-authored",
      "members",
      "members-authored",
      ...PUBLIC,
      "staff-authored",
      "staff-spoken",
    ]);
  });

  it("opens no conference or group row on a table without that column, except to staff and owners", async () => {
    const scope = signedIn({ userId: ids.owner, attending: [CONFERENCE_A, CONFERENCE_B], groups: [ids.groupOne, ids.groupTwo] });
    const found = await getDb()
      .select({ label: protectedRows.label })
      .from(protectedRows)
      .where(visibleTo(scope, { audience: protectedRows.audience, ownerIds: [protectedRows.authorId] }));
    expect(found.map((row) => row.label).sort()).toEqual(["group-two-authored", "members-authored", ...PUBLIC, "staff-authored"]);
    for (const row of await allRows()) {
      const seen = canSee(scope, { audience: row.audience, ownerIds: [row.authorId] });
      expect(seen, row.label).toBe(found.some((visible) => visible.label === row.label));
    }
  });

  it("counts what it lists", async () => {
    const scope = signedIn({ member: true, groups: [ids.groupTwo] });
    const [counted] = await getDb()
      .select({ n: sql<number>`count(*)::int` })
      .from(protectedRows)
      .where(visibleTo(scope, columns));
    expect(counted!.n).toBe((await seenBy(scope)).length);
    expect(counted!.n).toBe(6);
  });
});

describe("accessScope of a viewer from a real session", () => {
  async function viewerFor(traits: ("verified" | "member")[], options: { roles?: ("organizer" | "admin")[]; groups?: string[]; mfaVerified: boolean }) {
    const user = await createUser({ traits, roles: options.roles ?? [] });
    if (options.groups?.length) {
      await getDb()
        .insert(groupMembers)
        .values(options.groups.map((groupId) => ({ groupId, userId: user.id })));
    }
    const { token } = await createUserSession(user.id, { mfaVerified: options.mfaVerified });
    const check = await validateSessionToken(token);
    if (!check.valid) throw new Error("The session should be valid.");
    return check.viewer;
  }

  it("carries the viewer's groups from the session check", async () => {
    const viewer = await viewerFor(["verified"], { groups: [ids.groupOne, ids.groupTwo], mfaVerified: false });
    expect([...viewer.access.groups].sort()).toEqual([ids.groupOne, ids.groupTwo].sort());
    expect(viewer.access.attending).toEqual([]);
    expect(await seenBy(accessScope(viewer))).toEqual(["group-one", "group-two", "group-two-authored", ...PUBLIC]);
  });

  it("gives members and staff their audiences only once the session passed the second factor", async () => {
    const memberWithout = await viewerFor(["verified", "member"], { groups: [ids.groupOne], mfaVerified: false });
    const memberWith = await viewerFor(["verified", "member"], { groups: [ids.groupOne], mfaVerified: true });
    expect(await seenBy(accessScope(memberWithout))).toEqual(["group-one", ...PUBLIC]);
    expect(await seenBy(accessScope(memberWith))).toEqual(["group-one", "members", "members-authored", ...PUBLIC]);

    const organizerWithout = await viewerFor(["verified"], { roles: ["organizer"], mfaVerified: false });
    const adminWith = await viewerFor(["verified"], { roles: ["admin"], mfaVerified: true });
    expect(await seenBy(accessScope(organizerWithout))).toEqual(PUBLIC);
    expect(await seenBy(accessScope(adminWith))).toHaveLength(16);
  });

  it("reads the scopes of people outside a request in one statement, from their roles and groups", async () => {
    const member = await createUser({ traits: ["verified", "member"] });
    const organizer = await createUser({ roles: ["organizer"] });
    const suspended = await createUser({ traits: ["verified", "member", "suspended"] });
    await getDb()
      .insert(groupMembers)
      .values([ids.groupTwo, ids.groupOne].map((groupId) => ({ groupId, userId: member.id })));
    const unknown = crypto.randomUUID();
    const statements: string[] = [];
    const stop = observeQueries((query) => statements.push(query));
    const scopes = await accessScopesOfUsers(getDb(), [member.id, organizer.id, suspended.id, unknown]);
    stop();
    expect(statements).toHaveLength(1);
    expect(scopes.get(member.id)).toEqual({
      userId: member.id,
      staff: false,
      member: true,
      attending: [],
      groups: [ids.groupOne, ids.groupTwo].sort(),
    });
    expect(await seenBy(scopes.get(organizer.id)!)).toHaveLength(16);
    expect(scopes.get(suspended.id)).toEqual(ANONYMOUS);
    expect(scopes.get(unknown)).toEqual(ANONYMOUS);
    expect(await accessScopesOfUsers(getDb(), [])).toEqual(new Map());
  });

  it("treats no viewer as anonymous", async () => {
    expect(accessScope(null)).toEqual(ANONYMOUS);
    expect(await seenBy(accessScope(undefined))).toEqual(PUBLIC);
  });
});
