import { setTimeout as sleep } from "node:timers/promises";
import type PgBoss from "pg-boss";
import type { DatabaseHandle } from "#db/client.ts";
import { logger } from "../log.ts";
import { bossConnection, createBoss, JOB_SCHEMA, listenForJobs } from "./boss.ts";
import type { AnyJobDefinition } from "./define.ts";
import { sendOptions } from "./queue.ts";

export type WorkerOptions = {
  /** How often an idle queue looks for work. */
  pollMs?: number;
  /** How often every instance offers the periodic jobs (a period's job is created once, by the first offer). */
  periodicTickMs?: number;
  /** How often pg-boss expires jobs that outlived their timeout (a crashed process's) and archives old ones. */
  maintenanceIntervalSeconds?: number;
};

export type RunningJobs = {
  /**
   * Stops taking jobs, waits up to `graceMs` for those running, then aborts the rest and puts them back in their
   * queue as if never started: a job is finished or run again later, never lost.
   */
  stop(graceMs?: number): Promise<void>;
};

type FetchedJob = PgBoss.JobWithMetadata<unknown>;

class ShutdownError extends Error {
  constructor() {
    super("the process is stopping");
  }
}

class TimeoutError extends Error {
  constructor(seconds: number) {
    super(`the job ran longer than its ${seconds} s`);
  }
}

function errorOutput(error: unknown): object {
  return error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
}

/** Retries a write to the queue (complete, fail, release) through a database blink, until it succeeds or `until`. */
async function persist(what: string, write: () => Promise<unknown>, until: () => boolean): Promise<boolean> {
  for (let wait = 100; ; wait = Math.min(wait * 2, 2_000)) {
    try {
      await write();
      return true;
    } catch (error) {
      if (until()) {
        logger().error({ err: error }, `${what}: gave up; pg-boss expires the job and runs it again`);
        return false;
      }
      logger().warn({ err: error }, `${what}: retrying`);
      await sleep(wait);
    }
  }
}

/** One queue's loop: up to `concurrency` jobs at once, each completed (or failed) on its own. */
class QueueLoop {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private wakeUp: (() => void) | undefined;
  /** A wake-up that came while the loop was fetching: that fetch may have missed the job, so the loop looks again. */
  private woken = false;
  private stopping = false;
  private hardStop = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly boss: PgBoss,
    private readonly releaseSql: (ids: string[]) => Promise<unknown>,
    private readonly job: AnyJobDefinition,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      this.woken = false;
      const free = this.job.concurrency - this.running.size;
      let fetched: FetchedJob[] = [];
      if (free > 0) {
        try {
          // pg-boss's fetch claims with FOR UPDATE SKIP LOCKED: each job goes to one instance only.
          fetched = await this.boss.fetch(this.job.name, { batchSize: free, includeMetadata: true });
        } catch (error) {
          logger().warn({ err: error, job: this.job.name }, "could not fetch jobs");
        }
        if (this.stopping && fetched.length > 0) {
          // Fetched while the stop began: back to the queue untouched.
          const ids = fetched.map((job) => job.id);
          await persist(`release ${this.job.name}`, () => this.releaseSql(ids), () => this.hardStop);
          break;
        }
        for (const job of fetched) this.execute(job);
      }
      if (this.stopping) break;
      // A full batch suggests more are waiting; otherwise wait for the poll, a freed slot or a wake-up.
      if ((free > 0 && fetched.length === free) || this.woken) continue;
      const controller = new AbortController();
      this.wakeUp = () => controller.abort();
      await sleep(this.pollMs, undefined, { signal: controller.signal }).catch(() => {});
      this.wakeUp = undefined;
    }
  }

  private execute(job: FetchedJob): void {
    const controller = new AbortController();
    const definition = this.job;
    const timer = setTimeout(() => controller.abort(new TimeoutError(definition.timeoutSeconds)), definition.timeoutSeconds * 1000);
    const context = {
      id: job.id,
      attempt: job.retryCount + 1,
      lastAttempt: job.retryCount >= job.retryLimit,
      signal: controller.signal,
    };
    const done = (async () => {
      let outcome: { ok: true } | { ok: false; error: unknown };
      try {
        const payload = definition.payload.parse(job.data);
        await Promise.race([
          definition.run(payload, context),
          // A handler that ignores its signal still gives its slot back on time.
          new Promise<never>((_, reject) => controller.signal.addEventListener("abort", () => reject(controller.signal.reason as Error), { once: true })),
        ]);
        outcome = { ok: true };
      } catch (error) {
        outcome = { ok: false, error };
      } finally {
        clearTimeout(timer);
      }
      const giveUp = () => this.hardStop;
      if (!outcome.ok && outcome.error instanceof ShutdownError) {
        await persist(`release ${definition.name} ${job.id}`, () => this.releaseSql([job.id]), giveUp);
      } else if (outcome.ok) {
        await persist(`complete ${definition.name} ${job.id}`, () => this.boss.complete(definition.name, job.id), giveUp);
      } else {
        logger().warn({ err: outcome.error, job: definition.name, id: job.id, attempt: context.attempt, lastAttempt: context.lastAttempt }, "job failed");
        await persist(`fail ${definition.name} ${job.id}`, () => this.boss.fail(definition.name, job.id, errorOutput(outcome.error)), giveUp);
      }
    })().finally(() => {
      this.running.delete(job.id);
      this.wake();
    });
    this.running.set(job.id, { controller, done });
  }

  /** No more fetches; returns once every running job has settled or `deadline` passed. */
  async drain(deadline: number): Promise<void> {
    this.stopping = true;
    this.wake();
    await Promise.race([this.loop, sleep(Math.max(deadline - Date.now(), 0))]);
    const all = () => Promise.all([...this.running.values()].map((entry) => entry.done));
    const remaining = deadline - Date.now();
    if (remaining > 0) await Promise.race([all(), sleep(remaining)]);
  }

  /** Aborts what still runs; each aborted job releases itself (or, failing that, pg-boss expires it later). */
  async abort(deadline: number): Promise<void> {
    for (const entry of this.running.values()) entry.controller.abort(new ShutdownError());
    const remaining = deadline - Date.now();
    await Promise.race([Promise.all([...this.running.values()].map((entry) => entry.done)), sleep(Math.max(remaining, 0))]);
    this.hardStop = true;
  }
}

/**
 * Works every registered queue in this process and offers the periodic jobs, until stopped. pg-boss stores the jobs,
 * claims them (SKIP LOCKED), retries with backoff, expires runs whose process died, and deduplicates periodic and
 * singleton jobs; the loop here replaces its work(), which neither awaits nor retries the completion of a job (a
 * database blink there is an unhandled rejection) and fails, rather than releases, the jobs running at shutdown.
 */
export async function startJobs(handle: DatabaseHandle, jobs: readonly AnyJobDefinition[], options: WorkerOptions = {}): Promise<RunningJobs> {
  const connection = bossConnection(handle.driver, handle.target);
  const boss = createBoss(connection.db, { maintenanceIntervalSeconds: options.maintenanceIntervalSeconds });
  boss.on("error", (error: unknown) => logger().warn({ err: error }, "job queue maintenance failed"));
  await boss.start();

  // Back in the queue as if never started: started_on null keeps this run from counting as an attempt.
  const release = async (name: string, ids: string[]) =>
    connection.db.executeSql(
      `UPDATE ${JOB_SCHEMA}.job SET state = 'retry', started_on = NULL, start_after = now() WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'active'`,
      [name, ids],
    );

  const loops = new Map(jobs.map((job) => [job.name, new QueueLoop(boss, (ids) => release(job.name, ids), job, options.pollMs ?? 1_000)]));
  for (const loop of loops.values()) loop.start();
  // A job enqueued on any instance wakes its queue here as soon as its transaction commits; the poll is the fallback.
  const unlisten = await listenForJobs(handle.driver, (name) => loops.get(name)?.wake());

  const periodic = jobs.filter((job) => job.everySeconds !== undefined);
  const offer = async () => {
    for (const job of periodic) {
      try {
        // One job per slot of everySeconds across all instances: pg-boss's unique index on (name, singleton_on, key).
        const id = await boss.send(job.name, {}, sendOptions(job, { singletonKey: job.name, singletonSeconds: job.everySeconds }));
        if (id) loops.get(job.name)?.wake();
      } catch (error) {
        logger().warn({ err: error, job: job.name }, "could not offer a periodic job");
      }
    }
  };
  let offering: Promise<void> | undefined;
  const tick = () => {
    offering ??= offer().finally(() => (offering = undefined));
  };
  let ticker: NodeJS.Timeout | undefined;
  if (periodic.length > 0) {
    tick();
    ticker = setInterval(tick, options.periodicTickMs ?? 30_000);
    ticker.unref();
  }

  let stopping: Promise<void> | undefined;
  return {
    stop: (graceMs = 5_000) =>
      (stopping ??= (async () => {
        clearInterval(ticker);
        await unlisten();
        await offering;
        const started = Date.now();
        await Promise.all([...loops.values()].map((loop) => loop.drain(started + graceMs)));
        // Aborted jobs get a second to release themselves.
        await Promise.all([...loops.values()].map((loop) => loop.abort(Date.now() + 1_000)));
        await boss.stop({ graceful: false, close: false });
        await connection.close();
      })()),
  };
}
