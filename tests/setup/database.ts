/**
 * Gives every test file a database of its own: an in-memory PGlite, or a fresh database on the server named
 * by TEST_DATABASE_URL, dropped afterwards.
 */
import crypto from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll } from "vitest";
import { installDatabase, migrateDatabase, openDatabase, type DatabaseHandle } from "#db/client.ts";
import { installConfig, readConfig } from "#app/.server/config.ts";
import { syncJobQueues } from "#app/.server/jobs/queue.ts";
import { JOBS } from "#app/.server/jobs/registry.ts";

let handle: DatabaseHandle | undefined;
let dropDatabase: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const serverUrl = process.env.TEST_DATABASE_URL;
  let databaseUrl: string | undefined;
  if (serverUrl) {
    const name = `liaison_test_${crypto.randomBytes(6).toString("hex")}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const again = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await again.unsafe(`drop database if exists ${name} with (force)`);
      await again.end();
    };
  }
  installConfig(
    readConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      SEED_DEMO: "0",
      LIAISON_SECRET: crypto.randomBytes(32).toString("base64"),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { LIAISON_DATA_DIR: "memory://" }),
    }),
  );
  handle = await openDatabase(databaseUrl ? { kind: "postgres", url: databaseUrl, max: 4 } : { kind: "pglite", dataDir: "memory://" });
  await migrateDatabase(handle);
  await syncJobQueues(handle, JOBS);
  installDatabase(handle);
});

afterAll(async () => {
  installDatabase(undefined);
  await handle?.close();
  await dropDatabase?.();
});
