import { createServer, type Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "react-router";
import { installDatabase, migrateDatabase, openDatabase, type DatabaseHandle } from "#db/client.ts";
import { seedDemo, seedDemoRegistrations } from "#db/seed.ts";
import { importProgramIfEmpty } from "./agenda/import.ts";
import { syncContentPages } from "./content/pages.ts";
import { config } from "./config.ts";
import { createRequestListener, type AppSource } from "./http/app.ts";
import { logger } from "./log.ts";
import { loadSecret } from "./crypto/secret.ts";
import { syncJobQueues } from "./jobs/queue.ts";
import { JOBS } from "./jobs/registry.ts";
import { startJobs } from "./jobs/worker.ts";

export type RunningLiaison = { url: string; server: Server; close(): Promise<void> };

/** Opens and migrates the database, loads content, seeds the demo if asked, and starts the workers. */
export async function prepare(): Promise<DatabaseHandle> {
  const cfg = config();
  const handle = await openDatabase(cfg.database);
  installDatabase(handle);
  try {
    await migrateDatabase(handle);
    await syncJobQueues(handle, JOBS);
    await loadSecret();
    await syncContentPages(path.resolve("content/pages"));
    if (cfg.env === "production" && !cfg.publicUrl) {
      logger().warn("PUBLIC_URL is not set: mail links work only for visitors on this machine (localhost).");
    }
    if (cfg.seedDemo) {
      const accounts = await seedDemo();
      if (accounts.length > 0) {
        logger().info({ accounts: accounts.map((a) => ({ role: a.role, email: a.email })) }, "demo accounts seeded");
        // Logs are JSON lines for machines; the person who just ran `npm start` gets a plain table on stderr.
        process.stderr.write(
          `\nDemo accounts (password for all: ${accounts[0]!.password}):\n${accounts.map((a) => `  ${a.role.padEnd(10)} ${a.email}`).join("\n")}\n\n`,
        );
      }
    }
    // After the demo accounts, so that a speaker file naming one links to it.
    await importProgramIfEmpty(path.resolve("content/program"));
    if (cfg.seedDemo) await seedDemoRegistrations();
  } catch (error) {
    await handle.close();
    installDatabase(undefined);
    throw error;
  }
  return handle;
}

async function appSource(): Promise<AppSource> {
  if (config().env !== "development") {
    const buildPath = path.resolve("build/server/index.js");
    const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;
    return { mode: "production", build, clientDir: path.resolve("build/client") };
  }
  const vite = await import("vite");
  const devServer = await vite.createServer({ server: { middlewareMode: true } });
  return {
    mode: "development",
    build: () => devServer.ssrLoadModule("virtual:react-router/server-build") as Promise<ServerBuild>,
    viteMiddleware: devServer.middlewares,
  };
}

export async function startLiaison(options: { port?: number; host?: string } = {}): Promise<RunningLiaison> {
  const cfg = config();
  const handle = await prepare();
  const listener = createRequestListener(await appSource(), { renderCache: cfg.renderCache });
  const jobs = await startJobs(handle, JOBS);
  const server = await new Promise<Server>((resolve) => {
    const s = createServer(listener).listen(options.port ?? cfg.port, options.host ?? cfg.host, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : cfg.port;
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = setTimeout(() => server.closeAllConnections(), 8_000);
      // Jobs still running after 5 s are put back in their queue, well inside the 10 s the process has.
      await Promise.all([closed, jobs.stop(5_000)]);
      clearTimeout(deadline);
      await handle.close();
      installDatabase(undefined);
    })());
  return { url: `http://localhost:${port}`, server, close };
}
