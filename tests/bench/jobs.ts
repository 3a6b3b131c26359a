/**
 * Job queue throughput: N trivial jobs enqueued in transactions of 100, then worked by one instance at concurrency
 * 1 and 8. On the embedded database by default; `npm run bench -- jobs postgres://…/postgres` runs it in a fresh
 * database on that server (created and dropped here).
 */
import crypto from "node:crypto";
import postgres from "postgres";
import { z } from "zod";
import { migrateDatabase, openDatabase, type DatabaseHandle } from "#db/client.ts";
import { defineJob } from "#app/.server/jobs/define.ts";
import { enqueue, syncJobQueues } from "#app/.server/jobs/queue.ts";
import { startJobs } from "#app/.server/jobs/worker.ts";

const JOBS = 2_000;

async function freshServerDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `liaison_bench_${crypto.randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await again.unsafe(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}

async function round(handle: DatabaseHandle, concurrency: number) {
  let done = 0;
  let finished!: () => void;
  const all = new Promise<void>((resolve) => (finished = resolve));
  const job = defineJob({
    name: `bench.noop-${concurrency}`,
    payload: z.object({ n: z.number() }),
    retry: { limit: 0, delaySeconds: 0, backoff: false },
    concurrency,
    run: async () => {
      if (++done === JOBS) finished();
    },
  });
  await syncJobQueues(handle, [job]);
  let started = Date.now();
  for (let batch = 0; batch < JOBS; batch += 100) {
    await handle.db.transaction(async (tx) => {
      for (let n = batch; n < batch + 100; n++) await enqueue(tx, job, { n });
    });
  }
  const enqueuePerSecond = Math.round((JOBS * 1000) / (Date.now() - started));
  started = Date.now();
  const worker = await startJobs(handle, [job], { pollMs: 200 });
  await all;
  const workPerSecond = Math.round((JOBS * 1000) / (Date.now() - started));
  await worker.stop(1_000);
  process.stdout.write(`concurrency ${concurrency}: enqueue ${enqueuePerSecond}/s, work ${workPerSecond}/s\n`);
  return { enqueuePerSecond, workPerSecond };
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const server = args[0] ? await freshServerDatabase(args[0]) : undefined;
  const handle = await openDatabase(server ? { kind: "postgres", url: server.url, max: 10 } : { kind: "pglite", dataDir: "memory://" });
  try {
    await migrateDatabase(handle);
    const one = await round(handle, 1);
    const eight = await round(handle, 8);
    return { database: handle.target.kind, jobs: JOBS, concurrency1: one, concurrency8: eight };
  } finally {
    await handle.close();
    await server?.drop();
  }
}
