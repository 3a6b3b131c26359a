import crypto from "node:crypto";
import { sql } from "drizzle-orm";
import type PgBoss from "pg-boss";
import type { DatabaseHandle, Transaction } from "#db/client.ts";
import { bossConnection, createBoss, JOB_SCHEMA, JOBS_CHANNEL, transactionConnection } from "./boss.ts";
import type { AnyJobDefinition, JobDefinition } from "./define.ts";

export type EnqueueOptions = {
  /** Not before this time, or this many seconds from now. */
  startAfter?: Date | number;
  /** With a singleton, stately or short queue: the key that makes jobs "the same". */
  singletonKey?: string;
  /** At most one job (per singletonKey) in each slot of this many seconds; later sends in the slot are dropped. */
  singletonSeconds?: number;
};

// Builds the SQL of a send; never started, it has no connection of its own (every send names its transaction).
let sender: PgBoss | undefined;
function senderBoss(): PgBoss {
  sender ??= createBoss({
    executeSql: () => Promise.reject(new Error("Jobs are enqueued through the caller's transaction only.")),
  });
  return sender;
}

export function sendOptions(job: AnyJobDefinition, options: EnqueueOptions): PgBoss.SendOptions {
  return {
    retryLimit: job.retry.limit,
    retryDelay: job.retry.delaySeconds,
    retryBackoff: job.retry.backoff,
    expireInSeconds: job.timeoutSeconds,
    ...(options.startAfter === undefined ? {} : { startAfter: options.startAfter }),
    ...(options.singletonKey === undefined ? {} : { singletonKey: options.singletonKey }),
    ...(options.singletonSeconds === undefined ? {} : { singletonSeconds: options.singletonSeconds }),
  };
}

// Shared through globalThis: the server entry and the React Router build each load their own copy of this module.
const QUEUES = Symbol.for("liaison.job-queues");
type GlobalWithQueues = typeof globalThis & { [QUEUES]?: Set<string> };
function knownQueues(): Set<string> {
  const g = globalThis as GlobalWithQueues;
  g[QUEUES] ??= new Set();
  return g[QUEUES];
}

/**
 * Queues a job in the caller's transaction: it exists exactly when the change that caused it commits.
 * Returns the job's id, or null when a singleton or throttling option folded it into a job already queued.
 */
export async function enqueue<Payload>(tx: Transaction, job: JobDefinition<Payload>, payload: Payload, options: EnqueueOptions = {}): Promise<string | null> {
  // pg-boss would insert nothing, silently, for a queue it does not know.
  if (!knownQueues().has(job.name)) throw new Error(`No queue for job ${job.name}: list its definition in app/.server/jobs/registry.ts.`);
  const data = job.payload.parse(payload);
  const id = crypto.randomUUID();
  const connection = transactionConnection(tx);
  // insert() rather than send(): its SQL uses each parameter once, which Drizzle's numbering of parameters needs.
  await senderBoss().insert([{ id, name: job.name, data: data as object, ...insertOptions(job as AnyJobDefinition, options) }], { db: connection });
  // Workers look at once when the change commits; a job for later waits for their poll.
  if (options.startAfter === undefined) await tx.execute(sql`select pg_notify(${JOBS_CHANNEL}, ${job.name})`);
  if (options.singletonKey === undefined && options.singletonSeconds === undefined) return id;
  const { rows } = await connection.executeSql(`SELECT 1 FROM ${JOB_SCHEMA}.job WHERE name = $1 AND id = $2::uuid`, [job.name, id]);
  return rows.length === 1 ? id : null;
}

function insertOptions(job: AnyJobDefinition, options: EnqueueOptions): Omit<PgBoss.JobInsert, "name" | "data" | "id"> {
  const startAfter = options.startAfter instanceof Date ? options.startAfter.toISOString() : options.startAfter === undefined ? undefined : String(options.startAfter);
  return {
    retryLimit: job.retry.limit,
    retryDelay: job.retry.delaySeconds,
    retryBackoff: job.retry.backoff,
    expireInSeconds: job.timeoutSeconds,
    ...(startAfter === undefined ? {} : { startAfter }),
    ...(options.singletonKey === undefined ? {} : { singletonKey: options.singletonKey }),
    ...(options.singletonSeconds === undefined ? {} : { singletonSeconds: options.singletonSeconds }),
  };
}

/** Creates the queue of every job (idempotent) and brings its policy and retry settings up to date. */
export async function syncJobQueues(handle: DatabaseHandle, jobs: readonly AnyJobDefinition[]): Promise<void> {
  const connection = bossConnection(handle.driver, handle.target);
  try {
    const boss = createBoss(connection.db);
    for (const job of jobs) {
      const settings = {
        name: job.name,
        policy: job.policy,
        retryLimit: job.retry.limit,
        retryDelay: job.retry.delaySeconds,
        retryBackoff: job.retry.backoff,
        expireInSeconds: job.timeoutSeconds,
      } as const;
      await boss.createQueue(job.name, settings);
      await boss.updateQueue(job.name, settings);
      knownQueues().add(job.name);
    }
  } finally {
    await connection.close();
  }
}
