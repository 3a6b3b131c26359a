/**
 * Runs app/server.ts as a child process, the way it runs in production, on a port and data directory of its own.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export type ServerProcess = {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (empty when output goes to a file). */
  output(): string;
  /** Resolves with the exit code (or the signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

export type SpawnOptions = {
  port?: number;
  /** Defaults to a fresh temporary directory. */
  dataDir?: string;
  env?: Record<string, string>;
  /** Appends the output to this file instead of keeping it in memory. */
  logFile?: string;
  /** A Postgres server database to run on instead of an embedded one in the data directory. */
  databaseUrl?: string;
  /** The script to run instead of app/server.ts: a test's own server (it must answer GET /healthz). */
  entry?: string;
};

// tsx's own CLI relays SIGTERM to the server and passes its exit code back; `npx` does not forward the signal.
const TSX_CLI = path.resolve("node_modules/tsx/dist/cli.mjs");
const running = new Set<ChildProcess>();

process.once("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** A loopback port that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `liaison-${prefix}-`));
}

export async function spawnServer(options: SpawnOptions = {}): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? tempDir("data");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    LIAISON_DATA_DIR: dataDir,
    SEED_DEMO: "0",
    ...options.env,
  };
  // The child runs on its own embedded database, whatever the test process was given, unless it is given a server's.
  delete env.DATABASE_URL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  delete env.PUBLIC_URL;
  delete env.VITEST;

  const logFd = options.logFile ? fs.openSync(options.logFile, "a") : undefined;
  // BENCH_CPU_PROFILE=<dir> profiles each server a benchmark starts (node's --cpu-prof, written when it stops); the
  // profiled server runs in this process's child itself, which tsx's CLI would not allow.
  const profileDir = process.env.BENCH_CPU_PROFILE;
  const args = profileDir
    ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--import", "tsx", options.entry ?? "app/server.ts"]
    : [TSX_CLI, options.entry ?? "app/server.ts"];
  const child = spawn(process.execPath, args, {
    env,
    // Its own process group, so that a test that fails half-way can still take the whole tree down.
    detached: true,
    stdio: ["ignore", logFd ?? "pipe", logFd ?? "pipe"],
  });
  if (logFd !== undefined) fs.closeSync(logFd);
  running.add(child);

  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });

  const stop = async (graceMs = 10_000) => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
    const result = await exited;
    clearTimeout(timer);
    return result;
  };

  return { url: `http://127.0.0.1:${port}`, port, dataDir, child, output: () => output, exited, stop };
}

/** Resident memory, in bytes, of every process in the server's group (tsx's CLI and the server it runs). */
export function residentBytes(server: ServerProcess): number {
  let total = 0;
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // Fields after the command name (which may hold spaces): state, ppid, pgrp, ...
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp !== server.child.pid) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${entry}/status`, "utf8"));
      total += Number(rss?.[1] ?? 0) * 1024;
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

/** Waits until the output matches, failing early if the process exits first. */
export async function waitForOutput(server: ServerProcess, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void server.exited.then(() => (gone = true));
  while (!pattern.test(server.output())) {
    if (gone) throw new Error(`The server exited before printing ${pattern}:\n${server.output()}`);
    if (Date.now() > deadline) throw new Error(`No ${pattern} within ${timeoutMs} ms:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls /healthz until it answers 200, failing early if the process exits first. */
export async function waitForHealthy(server: ServerProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void server.exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`The server exited during start-up:\n${server.output()}`);
    try {
      const res = await fetch(`${server.url}/healthz`);
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`/healthz did not answer 200 within ${timeoutMs} ms:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** True when nothing accepts connections on the port. */
export async function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}
