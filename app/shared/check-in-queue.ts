/**
 * A door phone's queue of scans, as the check-in page sends it: in batches small enough for the request body limit,
 * dropping from the stored queue only the scans the server answered, so that a lost answer, a refusal or an expired
 * session leaves the rest queued for the next try. Every scan carries the phone's own id for it, and the server
 * answers a scan id it has seen from its record, so sending a batch again is safe.
 */

/** The most scans the server takes in one request. */
export const MAX_SCANS_PER_REQUEST = 200;
/** What the page sends at once: about 15 KB of JSON, well under the 64 KB body limit and the server's cap. */
export const SCAN_BATCH_SIZE = 100;
/** The longest code the server reads as a possible badge code. */
export const MAX_SCAN_CODE_LENGTH = 200;

export type QueuedScan = { scanId: string; code: string; scannedAt: string };
export type ScanOutcome = "checked_in" | "duplicate" | "refused";
export type SyncedScan = { scanId: string; outcome: ScanOutcome; message: string; name: string | null; category: string | null };

/**
 * What an answer to a batch means for the queue. `signed_out`: the session expired or lost the right (a redirect to
 * sign in, 401, 403, or a page where JSON was expected); `refused`: the server would not take this batch (a 4xx);
 * `unavailable`: the server could not take it now (5xx); `offline`: no answer at all.
 */
export type SyncAnswer =
  | { kind: "sent"; results: SyncedScan[] }
  | { kind: "signed_out" }
  | { kind: "refused"; status: number; message: string }
  | { kind: "unavailable"; status: number }
  | { kind: "offline" };

/** A code worth sending: anything else cannot be a badge and would only get its batch refused. */
export function isSendableCode(code: string): boolean {
  return code.length > 0 && code.length <= MAX_SCAN_CODE_LENGTH;
}

/** The queue without the scans the server answered, whatever else was queued meanwhile kept in order. */
export function acknowledge(queue: QueuedScan[], results: { scanId: string }[]): QueuedScan[] {
  const answered = new Set(results.map((result) => result.scanId));
  return queue.filter((scan) => !answered.has(scan.scanId));
}

/** Reads the answer to one POST of scans (sent with `redirect: "manual"`, so a redirect to sign in shows as one). */
export async function readSyncAnswer(response: Response): Promise<SyncAnswer> {
  if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400) || response.status === 401 || response.status === 403) {
    return { kind: "signed_out" };
  }
  if (response.status >= 500) return { kind: "unavailable", status: response.status };
  const text = await response.text().catch(() => "");
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: judged below by the status.
  }
  if (response.ok) {
    const results = (body as { results?: unknown } | null)?.results;
    // A page instead of the JSON this route answers: something between (a sign-in page) answered for it.
    return Array.isArray(results) ? { kind: "sent", results: results as SyncedScan[] } : { kind: "signed_out" };
  }
  const errors = (body as { errors?: Record<string, string[] | undefined> } | null)?.errors;
  const message = errors ? Object.values(errors).flat().filter(Boolean).join(" ") : text.trim().slice(0, 300);
  return { kind: "refused", status: response.status, message: message || `The server refused the scans (${response.status}).` };
}

export type QueueStore = { load(): QueuedScan[]; save(queue: QueuedScan[]): void };

export type FlushOutcome = {
  /** Every answer the server gave, in the order of the batches. */
  results: SyncedScan[];
  /** Why sending stopped before the queue was empty; null when it was emptied. */
  stopped: Exclude<SyncAnswer, { kind: "sent" }> | null;
  /** Scans still queued. */
  left: number;
};

/**
 * Sends the stored queue batch by batch until it is empty or an answer stops it. The queue is read again after each
 * answer, since scans made while a batch was in flight were added to it.
 */
export async function flushQueue(store: QueueStore, send: (batch: QueuedScan[]) => Promise<SyncAnswer>, batchSize = SCAN_BATCH_SIZE): Promise<FlushOutcome> {
  // A code the server cannot read (queued by an older page) would get every batch it is in refused: it is answered here.
  const unreadable = store.load().filter((scan) => !isSendableCode(scan.code));
  const results: SyncedScan[] = unreadable.map((scan) => ({ scanId: scan.scanId, outcome: "refused", message: "That is not a badge code: do not admit.", name: null, category: null }));
  if (unreadable.length > 0) store.save(acknowledge(store.load(), unreadable));
  for (;;) {
    const batch = store.load().slice(0, batchSize);
    if (batch.length === 0) return { results, stopped: null, left: 0 };
    const answer = await send(batch);
    if (answer.kind !== "sent") return { results, stopped: answer, left: store.load().length };
    const before = store.load();
    const after = acknowledge(before, answer.results);
    store.save(after);
    results.push(...answer.results);
    // An answer that took nothing off the queue would have the loop send the same batch forever.
    if (after.length === before.length) {
      return { results, stopped: { kind: "refused", status: 200, message: "The server answered without taking any of the scans." }, left: after.length };
    }
  }
}

/** What the page says about a queue that could not be sent, or null when nothing needs saying. */
export function describeStop(stopped: FlushOutcome["stopped"], left: number): string | null {
  if (!stopped || left === 0) return null;
  const scans = `${left} ${left === 1 ? "scan" : "scans"}`;
  switch (stopped.kind) {
    case "signed_out":
      return `Sign in again to send ${scans}: they stay on this phone until then.`;
    case "refused":
      return `The server refused ${scans} (${stopped.message}). They stay on this phone; tell an organizer.`;
    case "unavailable":
      return `The server could not take ${scans} just now; trying again shortly.`;
    case "offline":
      return null;
  }
}
