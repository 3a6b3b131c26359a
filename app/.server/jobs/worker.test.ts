import { sql } from "drizzle-orm";
import { createRequire } from "node:module";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { database, getDb, openDatabase, type DatabaseHandle } from "#db/client.ts";
import { eventually, gate, jobRows } from "#tests/support/jobs.ts";
import { JOB_SCHEMA } from "./boss.ts";
import { defineJob, type AnyJobDefinition, type JobContext, type RetryPolicy } from "./define.ts";
import { enqueue, syncJobQueues } from "./queue.ts";
import { startJobs, type RunningJobs, type WorkerOptions } from "./worker.ts";

const FAST: WorkerOptions = { pollMs: 50, maintenanceIntervalSeconds: 1 };
const NO_RETRY: RetryPolicy = { limit: 0, delaySeconds: 0, backoff: false };

const running: RunningJobs[] = [];
const extraHandles: DatabaseHandle[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((jobs) => jobs.stop(0)));
  await Promise.all(extraHandles.splice(0).map((handle) => handle.close()));
});

let queueCount = 0;
/** A job on a queue of its own, so that the tests of this file never see each other's jobs. */
function testJob<P>(options: { payload: z.ZodType<P>; run: (payload: P, context: JobContext) => Promise<void> } & Partial<AnyJobDefinition>) {
  queueCount += 1;
  return defineJob<P>({ name: `test.job-${queueCount}`, retry: NO_RETRY, ...options } as Parameters<typeof defineJob<P>>[0]);
}

async function work(jobs: AnyJobDefinition[], options: WorkerOptions = FAST, handle: DatabaseHandle = database()): Promise<RunningJobs> {
  await syncJobQueues(handle, jobs);
  const started = await startJobs(handle, jobs, options);
  running.push(started);
  return started;
}

/** Another instance's connection pool on the same database (on PGlite, the one connection there is). */
async function secondInstance(): Promise<DatabaseHandle> {
  const handle = database();
  if (handle.target.kind === "pglite") return handle;
  const other = await openDatabase({ ...handle.target, max: 2 });
  extraHandles.push(other);
  return other;
}

const Note = z.object({ note: z.string() });

/** pg-boss's Manager class, whose fetch every PgBoss instance calls (it copies the method when it is constructed). */
function bossManager(): { prototype: { fetch(...args: unknown[]): Promise<unknown> } } {
  return createRequire(import.meta.url)("pg-boss/src/manager.js") as { prototype: { fetch(...args: unknown[]): Promise<unknown> } };
}

describe("enqueue", () => {
  it("keeps the job of a committed change and none of a rolled-back one", async () => {
    const seen: string[] = [];
    const job = testJob({ payload: Note, run: async ({ note }) => void seen.push(note) });
    await syncJobQueues(database(), [job]);

    await getDb().transaction((tx) => enqueue(tx, job, { note: "committed" }));
    await expect(
      getDb().transaction(async (tx) => {
        await enqueue(tx, job, { note: "rolled back" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect((await jobRows(job.name)).map((row) => row.data)).toEqual([{ note: "committed" }]);

    await work([job]);
    await eventually(async () => (await jobRows(job.name)).every((row) => row.state === "completed"), 10_000, "the job to complete");
    expect(seen).toEqual(["committed"]);
  });

  it("wakes the idle queue of another instance when the change commits, without waiting for its poll", async () => {
    const seen: string[] = [];
    const job = testJob({ payload: Note, run: async ({ note }) => void seen.push(note) });
    // One fetch at start, then a poll a minute away: only the notification can bring the job in time.
    await work([job], { pollMs: 60_000, maintenanceIntervalSeconds: 60 }, await secondInstance());
    await new Promise((resolve) => setTimeout(resolve, 300));
    await getDb().transaction((tx) => enqueue(tx, job, { note: "now" }));
    await eventually(async () => seen.length === 1, 5_000, "the job to run");
    expect(seen).toEqual(["now"]);
  });

  it("checks the payload against the job's schema before it writes anything", async () => {
    const job = testJob({ payload: z.object({ mailId: z.number().int() }), run: async () => {} });
    await syncJobQueues(database(), [job]);
    await expect(getDb().transaction((tx) => enqueue(tx, job, { mailId: 1.5 }))).rejects.toThrow();
    expect(await jobRows(job.name)).toEqual([]);
  });

  it("refuses a job whose queue was never created, instead of dropping it", async () => {
    const job = testJob({ payload: Note, run: async () => {} });
    await expect(getDb().transaction((tx) => enqueue(tx, job, { note: "lost" }))).rejects.toThrow(/registry\.ts/);
  });

  it("holds a delayed job until its time", async () => {
    const ranAt: number[] = [];
    const job = testJob({ payload: Note, run: async () => void ranAt.push(Date.now()) });
    await syncJobQueues(database(), [job]);
    const enqueuedAt = Date.now();
    await getDb().transaction((tx) => enqueue(tx, job, { note: "later" }, { startAfter: 1 }));
    const [row] = await jobRows(job.name);
    expect(row!.starts_in).toBeGreaterThan(0.5);
    expect(row!.starts_in).toBeLessThanOrEqual(1);

    await work([job]);
    await eventually(() => ranAt.length === 1, 10_000, "the delayed job");
    expect(ranAt[0]! - enqueuedAt).toBeGreaterThanOrEqual(900);
  });

  it("folds sends with one singleton key into one job on a short queue", async () => {
    const seen: string[] = [];
    const job = testJob({ payload: Note, policy: "short", run: async ({ note }) => void seen.push(note) });
    await syncJobQueues(database(), [job]);
    const ids = await Promise.all(
      ["a", "b", "c", "d"].map((note) => getDb().transaction((tx) => enqueue(tx, job, { note }, { singletonKey: "digest:42" }))),
    );
    expect(ids.filter((id) => id !== null)).toHaveLength(1);
    await work([job]);
    await eventually(() => seen.length === 1, 10_000, "the one job");
    expect(await jobRows(job.name)).toHaveLength(1);
  });

  it("runs jobs of one singleton key one at a time, whatever the concurrency", async () => {
    // Counts the worker's requests for work, so that each run is held until the worker has asked for more meanwhile.
    const fetches = vi.spyOn(bossManager().prototype, "fetch");
    try {
      const releases = [gate(), gate(), gate()];
      let started = 0;
      let active = 0;
      let most = 0;
      const job = testJob({
        payload: Note,
        policy: "singleton",
        concurrency: 3,
        run: async () => {
          active += 1;
          most = Math.max(most, active);
          await releases[started++]!.promise;
          active -= 1;
        },
      });
      await syncJobQueues(database(), [job]);
      await getDb().transaction(async (tx) => {
        for (const note of ["1", "2", "3"]) await enqueue(tx, job, { note }, { singletonKey: "one-key" });
      });
      await work([job]);
      for (const [index, release] of releases.entries()) {
        await eventually(() => started === index + 1, 10_000, `run ${index + 1}`);
        const asked = fetches.mock.calls.length;
        await eventually(() => fetches.mock.calls.length >= asked + 2, 10_000, "two more requests for work");
        expect(active).toBe(1);
        release.open();
      }
      await eventually(async () => (await jobRows(job.name)).every((row) => row.state === "completed"), 10_000, "three runs");
      expect(most).toBe(1);
    } finally {
      fetches.mockRestore();
    }
  });
});

describe("retries", () => {
  it("retries a failing job with growing delays, then stops at its limit", async () => {
    const attempts: Pick<JobContext, "attempt" | "lastAttempt">[] = [];
    const afterwards: string[] = [];
    const job = testJob({
      payload: Note,
      retry: { limit: 2, delaySeconds: 2, backoff: true },
      run: async ({ note }, { attempt, lastAttempt }) => {
        if (note === "after") return void afterwards.push(note);
        attempts.push({ attempt, lastAttempt });
        throw new Error(`attempt ${attempt} failed`);
      },
    });
    await syncJobQueues(database(), [job]);
    await getDb().transaction((tx) => enqueue(tx, job, { note: "doomed" }));
    await work([job]);

    // pg-boss's backoff: delay × 2^n / 2, plus up to as much again at random.
    for (const [retry, low, high] of [
      [1, 2, 4],
      [2, 4, 8],
    ] as const) {
      const [row] = await eventually(async () => {
        const rows = await jobRows(job.name);
        return rows[0]?.state === "retry" && attempts.length === retry ? rows : undefined;
      }, 10_000, `failure ${retry}`);
      expect(row!.starts_in).toBeGreaterThan(low - 1);
      expect(row!.starts_in).toBeLessThanOrEqual(high);
      // Skip the wait rather than sleep through it.
      await database().rows(sql`update ${sql.raw(JOB_SCHEMA)}.job set start_after = now() where id = ${row!.id}`);
    }

    const [failed] = await eventually(async () => {
      const rows = await jobRows(job.name);
      return rows[0]?.state === "failed" ? rows : undefined;
    }, 10_000, "the final failure");
    expect(failed!.retry_count).toBe(2);
    expect(attempts).toEqual([
      { attempt: 1, lastAttempt: false },
      { attempt: 2, lastAttempt: false },
      { attempt: 3, lastAttempt: true },
    ]);
    // The limit holds: a job enqueued later runs, and the failed one does not run again.
    await getDb().transaction((tx) => enqueue(tx, job, { note: "after" }));
    await eventually(() => afterwards.length === 1, 10_000, "the later job");
    expect(attempts).toHaveLength(3);
  });

  it("runs a job again when the process that held it died (pg-boss expires it after its timeout)", async () => {
    const runs: number[] = [];
    const job = testJob({ payload: Note, timeoutSeconds: 1, retry: { limit: 1, delaySeconds: 0, backoff: false }, run: async (_p, { attempt }) => void runs.push(attempt) });
    await syncJobQueues(database(), [job]);
    await getDb().transaction((tx) => enqueue(tx, job, { note: "orphan" }));
    // A process claims the job and is killed (-9) before it completes: the row stays active.
    const claimed = await database().rows<{ id: string }>(
      sql`update ${sql.raw(JOB_SCHEMA)}.job set state = 'active', started_on = now() where name = ${job.name} returning id`,
    );
    expect(claimed).toHaveLength(1);

    await work([job]);
    await eventually(() => runs.length === 1, 15_000, "the expired job to run again");
    expect(runs).toEqual([2]);
    await eventually(async () => (await jobRows(job.name))[0]?.state === "completed", 5_000, "completion");
  });
});

describe("a slow job", () => {
  it("holds up neither the other queues nor the other jobs of its own", async () => {
    const held = gate();
    const finished: string[] = [];
    const slow = testJob({
      payload: Note,
      concurrency: 2,
      run: async ({ note }) => {
        if (note === "stuck") await held.promise;
        finished.push(note);
      },
    });
    const fast = testJob({ payload: Note, run: async ({ note }) => void finished.push(note) });
    await syncJobQueues(database(), [slow, fast]);
    await getDb().transaction((tx) => enqueue(tx, slow, { note: "stuck" }));
    await work([slow, fast]);
    await eventually(async () => (await jobRows(slow.name))[0]?.state === "active", 5_000, "the slow job to start");

    await getDb().transaction(async (tx) => {
      await enqueue(tx, fast, { note: "other queue" });
      await enqueue(tx, slow, { note: "same queue" });
    });
    await eventually(() => finished.length === 2, 5_000, "the other two jobs");
    expect(finished.sort()).toEqual(["other queue", "same queue"]);
    held.open();
    await eventually(() => finished.length === 3, 5_000, "the slow job");
  });
});

describe("stopping", () => {
  it("lets a running job finish within the grace period, and takes no new one", async () => {
    const held = gate();
    const finished: string[] = [];
    const job = testJob({
      payload: Note,
      run: async ({ note }) => {
        await held.promise;
        finished.push(note);
      },
    });
    const jobs = await work([job]);
    await getDb().transaction((tx) => enqueue(tx, job, { note: "first" }));
    await eventually(async () => (await jobRows(job.name))[0]?.state === "active", 5_000, "the job to start");
    await getDb().transaction((tx) => enqueue(tx, job, { note: "second" }));

    const stopped = jobs.stop(5_000);
    setTimeout(held.open, 200);
    await stopped;
    expect(finished).toEqual(["first"]);
    expect((await jobRows(job.name)).map((row) => row.state)).toEqual(["completed", "created"]);
  });

  it("puts a job that outlasts the grace period back, uncounted, and it runs again later", async () => {
    const runs: { attempt: number; aborted: boolean }[] = [];
    const job = testJob({
      payload: Note,
      retry: { limit: 0, delaySeconds: 0, backoff: false },
      run: async (_p, { attempt, signal }) => {
        const run = { attempt, aborted: false };
        runs.push(run);
        if (runs.length === 1) {
          // The first run would take a minute; it stops when told to.
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
          run.aborted = true;
          throw signal.reason;
        }
      },
    });
    const first = await work([job]);
    await getDb().transaction((tx) => enqueue(tx, job, { note: "long" }));
    await eventually(() => runs.length === 1, 5_000, "the first run");
    await first.stop(200);
    const [released] = await jobRows(job.name);
    expect(released).toMatchObject({ state: "retry", started_on: null, retry_count: 0 });

    // The next process (or another instance) runs it again; even with no retries left, it was not lost.
    await work([job]);
    await eventually(async () => (await jobRows(job.name))[0]?.state === "completed", 5_000, "the second run");
    expect(runs).toEqual([
      { attempt: 1, aborted: true },
      { attempt: 1, aborted: false },
    ]);
  });
});

describe("periodic jobs", () => {
  it("run once per period across two instances", { timeout: 30_000 }, async () => {
    const period = 2;
    const runs: string[] = [];
    const job = testJob({
      payload: z.object({}),
      everySeconds: period,
      run: async (_p, { id }) => void runs.push(id),
    });
    await syncJobQueues(database(), [job]);
    const other = await secondInstance();
    // Start just after a period begins (by the database's clock, which pg-boss's slots follow), run both instances
    // for two and a half periods, offering every 20 ms each: exactly three periods see an offer.
    await eventually(async () => {
      const [row] = await database().rows<{ into: number }>(sql`select (extract(epoch from clock_timestamp()) % ${period})::float8 as into`);
      return Number(row!.into) > 0.05 && Number(row!.into) < 0.3;
    }, 5_000, "the start of a period");
    const options = { ...FAST, periodicTickMs: 20 };
    const instances = await Promise.all([work([job], options), work([job], options, other)]);
    await new Promise((resolve) => setTimeout(resolve, period * 1000 * 2.5 - 400));
    await eventually(async () => (await jobRows(job.name)).every((row) => row.state === "completed"), 5_000, "the last run");
    await Promise.all(instances.map((instance) => instance.stop(1_000)));

    const rows = await jobRows(job.name);
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((row) => row.singleton_on?.toString())).size).toBe(3);
    expect(runs.sort()).toEqual(rows.map((row) => row.id).sort());
  });
});
