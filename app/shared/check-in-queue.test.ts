import { describe, expect, it } from "vitest";
import { acknowledge, describeStop, flushQueue, isSendableCode, MAX_SCAN_CODE_LENGTH, readSyncAnswer, type QueuedScan, type SyncAnswer, type SyncedScan } from "./check-in-queue.ts";

const scan = (n: number): QueuedScan => ({ scanId: `id-${n}`, code: `code-${n}`, scannedAt: new Date(Date.UTC(2027, 5, 7, 12, 0, n)).toISOString() });
const answered = (batch: QueuedScan[]): SyncedScan[] => batch.map((s) => ({ scanId: s.scanId, outcome: "checked_in", message: "Welcome.", name: null, category: null }));

function memoryStore(initial: QueuedScan[]) {
  let queue = [...initial];
  return { load: () => [...queue], save: (next: QueuedScan[]) => (queue = [...next]) };
}

describe("sending a door phone's queue", () => {
  it("sends 250 scans as batches of 100, 100 and 50, in order, and empties the queue", async () => {
    const store = memoryStore(Array.from({ length: 250 }, (_, n) => scan(n)));
    const sizes: number[] = [];
    const outcome = await flushQueue(store, async (batch) => {
      sizes.push(batch.length);
      return { kind: "sent", results: answered(batch) };
    });
    expect(sizes).toEqual([100, 100, 50]);
    expect(outcome).toMatchObject({ stopped: null, left: 0 });
    expect(outcome.results.map((r) => r.scanId)).toEqual(Array.from({ length: 250 }, (_, n) => `id-${n}`));
    expect(store.load()).toEqual([]);
  });

  it("keeps what was not answered, and scans queued while a batch was in flight", async () => {
    const store = memoryStore([scan(1), scan(2), scan(3)]);
    let calls = 0;
    const outcome = await flushQueue(
      store,
      async (batch): Promise<SyncAnswer> => {
        calls += 1;
        if (calls === 1) {
          store.save([...store.load(), scan(4)]);
          return { kind: "sent", results: answered(batch.slice(0, 2)) };
        }
        return { kind: "signed_out" };
      },
      3,
    );
    expect(outcome).toMatchObject({ stopped: { kind: "signed_out" }, left: 2 });
    expect(store.load().map((s) => s.scanId)).toEqual(["id-3", "id-4"]);
    expect(describeStop(outcome.stopped, outcome.left)).toBe("Sign in again to send 2 scans: they stay on this phone until then.");
  });

  it("stops on a refusal or no answer, and on an answer that takes nothing off the queue instead of looping", async () => {
    const store = memoryStore([scan(1)]);
    const refused = await flushQueue(store, async () => ({ kind: "refused", status: 400, message: "Send at least one scan." }));
    expect(describeStop(refused.stopped, refused.left)).toBe("The server refused 1 scan (Send at least one scan.). They stay on this phone; tell an organizer.");
    const offline = await flushQueue(store, async () => ({ kind: "offline" }));
    expect(offline).toMatchObject({ stopped: { kind: "offline" }, left: 1 });
    expect(describeStop(offline.stopped, offline.left)).toBeNull();
    let calls = 0;
    const stuck = await flushQueue(store, async () => {
      calls += 1;
      return { kind: "sent", results: [] };
    });
    expect(calls).toBe(1);
    expect(stuck).toMatchObject({ stopped: { kind: "refused" }, left: 1 });
    expect(store.load()).toEqual([scan(1)]);
  });

  it("answers a code the server cannot read itself, so it never holds up the rest of the queue", async () => {
    const store = memoryStore([scan(1), { ...scan(2), code: "x".repeat(MAX_SCAN_CODE_LENGTH + 1) }, scan(3)]);
    const sent: string[] = [];
    const outcome = await flushQueue(store, async (batch) => {
      sent.push(...batch.map((s) => s.scanId));
      return { kind: "sent", results: answered(batch) };
    });
    expect(sent).toEqual(["id-1", "id-3"]);
    expect(outcome.results.map((r) => `${r.scanId} ${r.outcome}`)).toEqual(["id-2 refused", "id-1 checked_in", "id-3 checked_in"]);
    expect(outcome).toMatchObject({ stopped: null, left: 0 });
  });

  it("drops only the acknowledged ids", () => {
    expect(acknowledge([scan(1), scan(2), scan(3)], [{ scanId: "id-2" }, { scanId: "id-9" }])).toEqual([scan(1), scan(3)]);
  });

  it("queues only codes the server reads", () => {
    expect(isSendableCode("B1.abc")).toBe(true);
    expect(isSendableCode("")).toBe(false);
    expect(isSendableCode("x".repeat(MAX_SCAN_CODE_LENGTH + 1))).toBe(false);
  });
});

describe("reading the server's answer", () => {
  it("reads results, a refusal's messages, a redirect or a page as signed out, and a 5xx as unavailable", async () => {
    const results = answered([scan(1)]);
    expect(await readSyncAnswer(Response.json({ results }))).toEqual({ kind: "sent", results });
    expect(await readSyncAnswer(Response.json({ results: [], errors: { scans: ["Send at most 200 scans at once."] } }, { status: 400 }))).toEqual({
      kind: "refused",
      status: 400,
      message: "Send at most 200 scans at once.",
    });
    expect(await readSyncAnswer(new Response("What you sent is larger than the 64 KB this form accepts.", { status: 413 }))).toEqual({
      kind: "refused",
      status: 413,
      message: "What you sent is larger than the 64 KB this form accepts.",
    });
    expect(await readSyncAnswer(Response.redirect("http://door.invalid/login?redirectTo=%2Fadmin%2Fcheck-in%2Fscans", 302))).toEqual({ kind: "signed_out" });
    expect(await readSyncAnswer(new Response("You do not have permission to see this page.", { status: 403 }))).toEqual({ kind: "signed_out" });
    expect(await readSyncAnswer(new Response("<!DOCTYPE html><title>Sign in</title>", { status: 200, headers: { "Content-Type": "text/html" } }))).toEqual({ kind: "signed_out" });
    expect(await readSyncAnswer(new Response("Unavailable", { status: 503 }))).toEqual({ kind: "unavailable", status: 503 });
  });
});
