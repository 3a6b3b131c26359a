/**
 * A door phone's offline queue reaching the server over HTTP, sent the way the check-in page sends it: in batches,
 * each answer taking its scans off the queue. A long queue is recorded whole, a batch sent again is recorded once,
 * a badge used twice is flagged, and what the server will not take (too many at once, an expired session) leaves
 * the queue as it was, with an answer that says why. Without JavaScript the page checks in one typed code.
 */
import { and, count, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "#db/client.ts";
import { users } from "#db/schema/accounts.ts";
import { checkIns, registrations, registrationSettings } from "#db/schema/registration.ts";
import { badgeToken } from "#app/.server/registration/badges.ts";
import { flushQueue, MAX_SCANS_PER_REQUEST, readSyncAnswer, SCAN_BATCH_SIZE, type QueuedScan, type SyncAnswer } from "#app/shared/check-in-queue.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { createRegistrationConference, registrationForm } from "#tests/factories/registration.ts";
import { startTestApp, type TestApp, type TestClient } from "#tests/support/app.ts";

let app: TestApp;
let conferenceId: string;

beforeAll(async () => {
  app = await startTestApp();
  conferenceId = (await createRegistrationConference({ approval: "open" })).id;
});

afterAll(async () => {
  await app?.close();
});

async function doorStaff(): Promise<TestClient> {
  const user = await createUser({ roles: ["organizer"] });
  const { token } = await createUserSession(user.id, { mfaVerified: true });
  const client = app.client();
  client.cookies.set("liaison_session", token);
  return client;
}

/** `n` approved attendees, written in two statements: the factory's one-by-one inserts would take most of a minute. */
async function approvedAttendees(n: number): Promise<{ id: string; name: string }[]> {
  const { passwordHash } = await createUser();
  const people = await getDb()
    .insert(users)
    .values(Array.from({ length: n }, (_, i) => ({ email: `door-${i}-${crypto.randomUUID()}@agency.example`, passwordHash, name: `Door Guest ${i}`, agency: "Test Agency", jobTitle: "Officer", country: "US", emailVerifiedAt: sql`now()` })))
    .returning({ id: users.id, name: users.name });
  const rows = await getDb()
    .insert(registrations)
    .values(people.map((person) => ({ conferenceId, userId: person.id, status: "approved" as const, ...registrationForm() })))
    .returning({ id: registrations.id, userId: registrations.userId });
  await getDb()
    .update(registrationSettings)
    .set({ seatsTaken: sql`${registrationSettings.seatsTaken} + ${n}` })
    .where(eq(registrationSettings.conferenceId, conferenceId));
  const names = new Map(people.map((person) => [person.id, person.name]));
  return rows.map((row) => ({ id: row.id, name: names.get(row.userId)! }));
}

/** One POST as the page makes it, its answer read as the page reads it. */
async function post(client: TestClient, scans: QueuedScan[]): Promise<SyncAnswer> {
  const res = await client.request("/admin/check-in/scans", { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify({ scans }) });
  return readSyncAnswer(new Response(res.text, { status: res.status, headers: res.headers }));
}

function memoryQueue(initial: QueuedScan[]) {
  let queue = [...initial];
  return { load: () => [...queue], save: (next: QueuedScan[]) => (queue = [...next]) };
}

const scanOf = (code: string, second: number): QueuedScan => ({ scanId: crypto.randomUUID(), code, scannedAt: new Date(Date.UTC(2027, 5, 7, 8, 0, second)).toISOString() });

async function recorded(scanIds: string[]): Promise<number> {
  const [row] = await getDb().select({ n: count() }).from(checkIns).where(inArray(checkIns.scanId, scanIds));
  return row!.n;
}

describe("a door phone's queue sent in batches", () => {
  it("records all 600 scans of a queue, and flags the one badge used twice among them", async () => {
    const people = await approvedAttendees(599);
    const twice = people[300]!;
    const queue = [...people.map((person, i) => scanOf(badgeToken(person.id), i)), scanOf(badgeToken(twice.id), 599)];
    const client = await doorStaff();
    const store = memoryQueue(queue);
    const sizes: number[] = [];
    const outcome = await flushQueue(store, (batch) => {
      sizes.push(batch.length);
      return post(client, batch);
    });

    expect(sizes).toEqual([100, 100, 100, 100, 100, 100]);
    expect(sizes.every((size) => size === SCAN_BATCH_SIZE)).toBe(true);
    expect(outcome).toMatchObject({ stopped: null, left: 0 });
    expect(store.load()).toEqual([]);
    expect(await recorded(queue.map((scan) => scan.scanId))).toBe(600);
    const flagged = outcome.results.filter((result) => result.outcome !== "checked_in");
    expect(flagged).toEqual([expect.objectContaining({ scanId: queue[599]!.scanId, outcome: "duplicate", name: twice.name })]);
    expect(flagged[0]!.message).toContain(`Already used: ${twice.name} was checked in at 08:05 UTC.`);
    const [checkedIn] = await getDb()
      .select({ n: count() })
      .from(registrations)
      .where(and(inArray(registrations.id, people.map((person) => person.id)), eq(registrations.status, "checked_in")));
    expect(checkedIn!.n).toBe(599);
  }, 120_000);

  it("records a batch sent twice once (one after the other, and both at once), with the same answers", async () => {
    const people = await approvedAttendees(3);
    const batch = [...people.map((person, i) => scanOf(badgeToken(person.id), i)), scanOf(badgeToken(people[0]!.id), 10)];
    const client = await doorStaff();
    const first = await post(client, batch);
    const again = await post(client, batch);
    const atOnce = await Promise.all([post(client, batch), post(client, batch)]);
    for (const answer of [first, again, ...atOnce]) {
      expect(answer.kind).toBe("sent");
      expect(answer.kind === "sent" && answer.results.map((result) => result.outcome)).toEqual(["checked_in", "checked_in", "checked_in", "duplicate"]);
    }
    expect(await recorded(batch.map((scan) => scan.scanId))).toBe(4);
    const [duplicates] = await getDb()
      .select({ n: count() })
      .from(checkIns)
      .where(and(eq(checkIns.registrationId, people[0]!.id), eq(checkIns.outcome, "duplicate")));
    expect(duplicates!.n).toBe(1);
  });

  it("refuses more than the cap at once with a 400 that says so, and records none of it", async () => {
    const client = await doorStaff();
    const batch = Array.from({ length: MAX_SCANS_PER_REQUEST + 1 }, (_, i) => scanOf("B1.not-a-badge", i));
    const res = await client.request("/admin/check-in/scans", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ scans: batch }) });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toEqual({ results: [], errors: { scans: [`Send at most ${MAX_SCANS_PER_REQUEST} scans at once, and the rest in further requests.`] } });
    expect(await recorded(batch.map((scan) => scan.scanId))).toBe(0);

    const store = memoryQueue(batch);
    const outcome = await flushQueue(store, (scans) => post(client, scans), MAX_SCANS_PER_REQUEST + 1);
    expect(outcome.stopped).toEqual({ kind: "refused", status: 400, message: `Send at most ${MAX_SCANS_PER_REQUEST} scans at once, and the rest in further requests.` });
    expect(store.load()).toHaveLength(MAX_SCANS_PER_REQUEST + 1);
  });

  it("answers a queue past the body limit with a 413 the page shows, and keeps the queue", async () => {
    const client = await doorStaff();
    const batch = Array.from({ length: 500 }, (_, i) => scanOf(`B1.${"x".repeat(150)}`, i));
    const store = memoryQueue(batch);
    const outcome = await flushQueue(store, (scans) => post(client, scans), 500);
    expect(outcome.stopped).toMatchObject({ kind: "refused", status: 413 });
    expect(outcome.stopped?.kind === "refused" && outcome.stopped.message).toContain("larger than the 64 KB");
    expect(store.load()).toHaveLength(500);
  });

  it("reads an expired session as 'sign in again' and keeps every scan queued", async () => {
    const people = await approvedAttendees(2);
    const queue = people.map((person, i) => scanOf(badgeToken(person.id), i));
    const signedOut = app.client();
    const res = await signedOut.request("/admin/check-in/scans", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ scans: queue }) });
    expect(`${res.status} ${res.location}`).toBe("302 /login?redirectTo=%2Fadmin%2Fcheck-in%2Fscans");
    const store = memoryQueue(queue);
    const outcome = await flushQueue(store, (scans) => post(signedOut, scans));
    expect(outcome).toEqual({ results: [], stopped: { kind: "signed_out" }, left: 2 });
    expect(store.load()).toEqual(queue);
    expect(await recorded(queue.map((scan) => scan.scanId))).toBe(0);
  });

  it("checks in one typed code without JavaScript, and answers a refused form with the field's message", async () => {
    const [person] = await approvedAttendees(1);
    const client = await doorStaff();
    const admitted = await client.post("/admin/check-in", { intent: "check-in", code: badgeToken(person!.id) });
    expect(admitted.status).toBe(200);
    expect(admitted.text).toContain(`Welcome, ${person!.name}.`);
    const again = await client.post("/admin/check-in", { intent: "check-in", code: badgeToken(person!.id) });
    expect(again.text).toContain(`Already used: ${person!.name} was checked in at`);
    const empty = await client.post("/admin/check-in", { intent: "check-in", code: "  " });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain("Scan or type the code on the badge.");
  });
});
