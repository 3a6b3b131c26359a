import { logger } from "../log.ts";

/** A job every instance runs on its own timer; it must be safe to run in several instances at once. */
export type PeriodicJob = { name: string; everyMs?: number; run(): Promise<unknown> };

/** Runs the jobs every few seconds (each no more often than its everyMs) until the returned stop is called. */
export function startPeriodicJobs(jobs: PeriodicJob[], options: { intervalMs?: number } = {}): () => Promise<void> {
  let running: Promise<void> | undefined;
  let stopped = false;
  const lastRun = new Map<string, number>();
  const tick = () => {
    if (running || stopped) return;
    running = (async () => {
      for (const job of jobs) {
        const last = lastRun.get(job.name);
        if (job.everyMs && last !== undefined && Date.now() - last < job.everyMs) continue;
        lastRun.set(job.name, Date.now());
        try {
          await job.run();
        } catch (error) {
          logger().error({ err: error, job: job.name }, "periodic job failed");
        }
      }
    })().finally(() => {
      running = undefined;
    });
  };
  const timer = setInterval(tick, options.intervalMs ?? 2_000);
  timer.unref();
  tick();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
