import { config } from "#app/.server/config.ts";
import { syncJobQueues } from "#app/.server/jobs/queue.ts";
import { JOBS } from "#app/.server/jobs/registry.ts";
import { logger } from "#app/.server/log.ts";
import { migrateDatabase, openDatabase } from "./client.ts";

const handle = await openDatabase(config().database);
try {
  await migrateDatabase(handle);
  // Also as the owner: a new job's queue is a partition table, which a role that owns nothing cannot create.
  await syncJobQueues(handle, JOBS);
  logger().info({ database: handle.target.kind }, "migrations applied");
} finally {
  await handle.close();
}
