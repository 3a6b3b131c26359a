import { config } from "#app/.server/config.ts";
import { logger } from "#app/.server/log.ts";
import { migrateDatabase, openDatabase } from "./client.ts";

const handle = await openDatabase(config().database);
try {
  await migrateDatabase(handle);
  logger().info({ database: handle.target.kind }, "migrations applied");
} finally {
  await handle.close();
}
