import { createServer, type Server } from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "react-router";
import { installDatabase, migrateDatabase, openDatabase, type DatabaseHandle } from "#db/client.ts";
import { DEMO_TOTP_KEY } from "#db/demo-totp.ts";
import { seedDemo, seedDemoRegistrations, type DemoAccount } from "#db/seed.ts";
import { importProgramIfEmpty } from "./agenda/import.ts";
import { syncContentPages } from "./content/pages.ts";
import { config } from "./config.ts";
import { createRequestListener, type AppSource } from "./http/app.ts";
import { logger } from "./log.ts";
import { loadSecret } from "./crypto/secret.ts";
import { syncJobQueues } from "./jobs/queue.ts";
import { JOBS } from "./jobs/registry.ts";
import { startJobs } from "./jobs/worker.ts";

export type RunningLiaison = { url: string; server: Server; demoAccounts: DemoAccount[]; close(): Promise<void> };

/** Opens and migrates the database, loads content, and seeds the demo if asked (its accounts are returned). */
export async function prepare(): Promise<{ handle: DatabaseHandle; demoAccounts: DemoAccount[] }> {
  const cfg = config();
  let demoAccounts: DemoAccount[] = [];
  const handle = await openDatabase(cfg.database);
  installDatabase(handle);
  try {
    if (cfg.migrateOnStart) await migrateDatabase(handle);
    // Creating a new queue's partition needs the owner (db:migrate does it); for known queues this only updates rows.
    await syncJobQueues(handle, JOBS);
    await loadSecret();
    await syncContentPages(path.resolve("content/pages"));
    // A demo is tried on this machine, where links work without it.
    if (cfg.env === "production" && !cfg.publicUrl && !cfg.seedDemo) {
      logger().warn("PUBLIC_URL is not set: mail links work only for visitors on this machine (localhost).");
    }
    if (cfg.seedDemo) {
      demoAccounts = await seedDemo();
      if (cfg.logFormat === "json") {
        logger().info({ accounts: demoAccounts.map((a) => ({ role: a.role, email: a.email })) }, "demo accounts seeded");
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
  return { handle, demoAccounts };
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
  const { handle, demoAccounts } = await prepare();
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
  return { url: `http://localhost:${port}`, server, demoAccounts, close };
}

/**
 * What the person who just ran `npm start` needs, printed once: the address and, on a demo site, how to sign in as
 * each role.
 */
export function startBanner(url: string, accounts: DemoAccount[]): string {
  const lines = [`Liaison is listening on ${url} (Ctrl-C stops it)`];
  if (accounts.length > 0) {
    lines.push(
      "",
      `Demo accounts, all with the password ${accounts[0]!.password}:`,
      ...accounts.map((a) => `  ${a.role.padEnd(11)}${a.mfa ? `${a.email.padEnd(30)} then the code from: npm run demo:code -- ${a.role}` : a.email}`),
      `(The two-factor key of those accounts is ${DEMO_TOTP_KEY}, if you prefer an authenticator app.)`,
      "Mail is printed here with its links, and organizers read it at /admin/outbox.",
    );
  }
  return `${lines.join("\n")}\n\n`;
}
