/**
 * What the portal's shell costs per request: the production server (Express, helmet, session resolution, request
 * logging, Remix rendering) against a bare node:http server that sends the very same bytes.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import autocannon, { type Result } from "autocannon";
import { spawnServer, tempDir, waitForHealthy } from "#tests/support/server-process.ts";

const PAGES = ["/", "/pages/about"] as const;
const CONNECTIONS = 10;
const WARMUP_SECONDS = 2;
const ROUND_SECONDS = 5;
const ROUNDS = 3;

type Target = { label: string; page: string; url: string; rounds: Result[] };

function write(line = ""): void {
  process.stdout.write(`${line}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function startBareServer(fixturesFile: string) {
  const child = spawn(process.execPath, [path.resolve("node_modules/tsx/dist/cli.mjs"), "tests/bench/bare-server.ts", fixturesFile], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`the bare server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export async function run(): Promise<Record<string, unknown>> {
  if (!fs.existsSync(path.resolve("build/server/index.js"))) throw new Error("No server build: run `npm run build` first.");
  const work = tempDir("bench-shell");
  const logFile = path.join(work, "server.log");
  // Request logging at info level is part of what a request costs in production, so it stays on, into a file.
  const app = await spawnServer({ dataDir: path.join(work, "data"), logFile, env: { SEED_DEMO: "0", LOG_LEVEL: "info" } });
  let bare: Awaited<ReturnType<typeof startBareServer>> | undefined;
  try {
    await waitForHealthy(app, 90_000);
    const fixtures: Record<string, { contentType: string; body: string }> = {};
    for (const page of PAGES) {
      const res = await fetch(`${app.url}${page}`);
      if (res.status !== 200) throw new Error(`${page} answered ${res.status}; the benchmark needs it to render`);
      const body = Buffer.from(await res.arrayBuffer());
      fixtures[page] = { contentType: res.headers.get("content-type") ?? "text/html", body: body.toString("base64") };
      write(`${page}: ${body.length} bytes of ${fixtures[page].contentType}`);
    }
    const fixturesFile = path.join(work, "fixtures.json");
    fs.writeFileSync(fixturesFile, JSON.stringify(fixtures));
    bare = await startBareServer(fixturesFile);

    const targets: Target[] = PAGES.flatMap((page) => [
      { label: `app  ${page}`, page, url: `${app.url}${page}`, rounds: [] },
      { label: `bare ${page}`, page, url: `${bare!.url}${page}`, rounds: [] },
    ]);
    write(`warming up (${WARMUP_SECONDS} s each), then ${ROUNDS} interleaved rounds of ${ROUND_SECONDS} s, ${CONNECTIONS} connections`);
    for (const target of targets) await autocannon({ url: target.url, connections: CONNECTIONS, duration: WARMUP_SECONDS });
    for (let round = 1; round <= ROUNDS; round++) {
      for (const target of targets) {
        const result = await autocannon({ url: target.url, connections: CONNECTIONS, duration: ROUND_SECONDS });
        if (result.errors > 0 || result.non2xx > 0) {
          throw new Error(`${target.label}: ${result.errors} errors and ${result.non2xx} non-2xx answers in round ${round}`);
        }
        target.rounds.push(result);
        write(`  round ${round} ${target.label.padEnd(20)} ${Math.round(result.requests.average)} req/s`);
      }
    }

    const summary = targets.map((target) => ({
      label: target.label,
      page: target.page,
      rps: median(target.rounds.map((r) => r.requests.average)),
      p50: median(target.rounds.map((r) => r.latency.p50)),
      p99: median(target.rounds.map((r) => r.latency.p99)),
    }));
    write();
    write(`${"target".padEnd(20)} ${"req/s".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}`);
    for (const row of summary) {
      write(`${row.label.padEnd(20)} ${Math.round(row.rps).toString().padStart(8)} ${row.p50.toFixed(1).padStart(8)} ${row.p99.toFixed(1).padStart(8)}`);
    }
    const pages: Record<string, { appRps: number; bareRps: number; ratio: number; appP99Ms: number; bareP99Ms: number }> = {};
    for (const page of PAGES) {
      const appRow = summary.find((row) => row.page === page && row.label.startsWith("app"))!;
      const bareRow = summary.find((row) => row.page === page && row.label.startsWith("bare"))!;
      pages[page] = {
        appRps: Math.round(appRow.rps),
        bareRps: Math.round(bareRow.rps),
        ratio: Number((appRow.rps / bareRow.rps).toFixed(3)),
        appP99Ms: appRow.p99,
        bareP99Ms: bareRow.p99,
      };
      write(`${page}: app/bare = ${pages[page].ratio}`);
    }
    return { connections: CONNECTIONS, roundSeconds: ROUND_SECONDS, rounds: ROUNDS, pages };
  } finally {
    await bare?.stop();
    await app.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
