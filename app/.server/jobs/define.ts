import type { z } from "zod";
import { ARCHIVE_COMPLETED_SECONDS } from "./boss.ts";

export type JobContext = {
  id: string;
  /** 1 for the first run, 2 for the first retry … */
  attempt: number;
  /** No retry follows if this run fails. */
  lastAttempt: boolean;
  /** Aborted when the job runs out of time or the process stops; pass it on to anything slow (SMTP, fetch). */
  signal: AbortSignal;
};

export type RetryPolicy = {
  /** Retries after the first run: 0 runs a job once. */
  limit: number;
  delaySeconds: number;
  /** Doubles the delay (with jitter) after each failure. */
  backoff: boolean;
};

export type JobDefinition<Payload = unknown> = {
  /** The queue's name: lowercase words with dots or hyphens, e.g. "mail.deliver". */
  name: string;
  payload: z.ZodType<Payload>;
  run(payload: Payload, context: JobContext): Promise<void>;
  retry: RetryPolicy;
  /** A run that takes longer is aborted (its signal fires) and counts as failed; pg-boss expires it after this too. */
  timeoutSeconds: number;
  /** Runs of this job at once in one process (default 1); other queues have loops of their own either way. */
  concurrency: number;
  /**
   * pg-boss's queue policy: "standard", or "singleton" (one active job per singletonKey), "stately" (at most one
   * queued and one active per key), "short" (at most one queued per key).
   */
  policy: "standard" | "singleton" | "stately" | "short";
  /** Periodic: enqueued by every instance, run once per period across all of them. */
  everySeconds?: number;
};

/** Any job, whatever its payload (run is a method, so a definition of any payload fits). */
export type AnyJobDefinition = JobDefinition<unknown>;

const NAME = /^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*$/;

/** Declares a job. List it in jobs/registry.ts, or it has no queue and enqueue() refuses it. */
export function defineJob<Payload>(
  definition: Omit<JobDefinition<Payload>, "concurrency" | "policy" | "timeoutSeconds"> &
    Partial<Pick<JobDefinition<Payload>, "concurrency" | "policy" | "timeoutSeconds">>,
): JobDefinition<Payload> {
  if (!NAME.test(definition.name)) throw new Error(`Job name ${JSON.stringify(definition.name)}: lowercase words joined by dots or hyphens.`);
  const every = definition.everySeconds;
  // A period is one pg-boss throttling slot; the slot's job must still be in the job table (not archived) for the
  // next instance's send in that slot to collide with it.
  if (every !== undefined && (!Number.isInteger(every) || every < 1 || every > ARCHIVE_COMPLETED_SECONDS)) {
    throw new Error(`Job ${definition.name}: everySeconds must be a whole number from 1 to ${ARCHIVE_COMPLETED_SECONDS}.`);
  }
  return { concurrency: 1, policy: "standard", timeoutSeconds: 300, ...definition };
}
