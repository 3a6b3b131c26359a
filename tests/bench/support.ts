/**
 * What every load benchmark shares: interleaved rounds of autocannon against several targets in one run, medians,
 * p99, and the CPU each server process spent per request, read from /proc (steadier than requests per second on a
 * noisy machine).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import autocannon, { type Result } from "autocannon";

export type Target = {
  label: string;
  url: string;
  /** The process group whose CPU time counts (a server spawned detached leads its own group). */
  pgid: number;
  headers?: Record<string, string>;
};

export type Figures = {
  label: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  /** Each round's own figures, in order: ratios pair a target's round with its baseline's. */
  rounds: { rps: number; cpuMsPerRequest: number }[];
};

export type MeasureOptions = { connections?: number; warmupSeconds?: number; roundSeconds?: number; rounds?: number };

export function write(line = ""): void {
  process.stdout.write(`${line}\n`);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** Each process's command name, process group and CPU time (user plus system, in milliseconds), from /proc. */
function* processes(): Generator<{ name: string; pgid: number; cpuMs: number }> {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // The command name may hold spaces and parentheses: the fields after its closing parenthesis are fixed.
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" ");
    yield { name: stat.slice(stat.indexOf("(") + 1, close), pgid: Number(fields[2]), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND };
  }
}

/** User plus system CPU time, in milliseconds, of every process in the group. */
export function groupCpuMs(pgid: number): number {
  let ms = 0;
  for (const process of processes()) if (process.pgid === pgid) ms += process.cpuMs;
  return ms;
}

/** CPU time in milliseconds of the processes whose command name is `name` (the Postgres server's backends, say). */
export function commandCpuMs(name: string): number {
  let ms = 0;
  for (const process of processes()) if (process.name === name) ms += process.cpuMs;
  return ms;
}

/** Busy and total CPU time of the whole machine, in milliseconds summed over its cores (/proc/stat). */
export function machineCpuMs(): { busy: number; total: number } {
  const [line] = fs.readFileSync("/proc/stat", "utf8").split("\n");
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line!.trim().split(/\s+/).slice(1).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy: (busy * 1000) / TICKS_PER_SECOND, total: ((busy + idle! + iowait!) * 1000) / TICKS_PER_SECOND };
}

/** Runs every target once to warm it, then `rounds` rounds in which each target takes its turn. */
export async function measure(targets: Target[], options: MeasureOptions = {}): Promise<Figures[]> {
  const connections = options.connections ?? 10;
  const roundSeconds = options.roundSeconds ?? 5;
  const rounds = options.rounds ?? 3;
  const warmup = options.warmupSeconds ?? 2;
  write(`warming up (${warmup} s each), then ${rounds} interleaved rounds of ${roundSeconds} s, ${connections} connections`);
  for (const target of targets) await autocannon({ url: target.url, headers: target.headers, connections, duration: warmup });
  const results = new Map<Target, { result: Result; cpuMs: number }[]>(targets.map((target) => [target, []]));
  for (let round = 1; round <= rounds; round++) {
    for (const target of targets) {
      const before = groupCpuMs(target.pgid);
      const result = await autocannon({ url: target.url, headers: target.headers, connections, duration: roundSeconds });
      const cpuMs = groupCpuMs(target.pgid) - before;
      if (result.errors > 0 || result.non2xx > 0) {
        throw new Error(`${target.label}: ${result.errors} errors and ${result.non2xx} non-2xx answers in round ${round}`);
      }
      results.get(target)!.push({ result, cpuMs });
      write(`  round ${round} ${target.label.padEnd(34)} ${Math.round(result.requests.average).toString().padStart(6)} req/s`);
    }
  }
  const figures = targets.map((target) => {
    const runs = results.get(target)!;
    return {
      label: target.label,
      rps: Math.round(median(runs.map((run) => run.result.requests.average))),
      p50Ms: median(runs.map((run) => run.result.latency.p50)),
      p99Ms: median(runs.map((run) => run.result.latency.p99)),
      cpuMsPerRequest: Number(median(runs.map((run) => run.cpuMs / Math.max(1, run.result.requests.total))).toFixed(3)),
      rounds: runs.map((run) => ({ rps: run.result.requests.average, cpuMsPerRequest: run.cpuMs / Math.max(1, run.result.requests.total) })),
    };
  });
  write();
  write(`${"target".padEnd(34)} ${"req/s".padStart(7)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"CPU ms/req".padStart(10)}`);
  for (const row of figures) {
    write(
      `${row.label.padEnd(34)} ${String(row.rps).padStart(7)} ${row.p50Ms.toFixed(1).padStart(7)} ${row.p99Ms.toFixed(1).padStart(7)} ${row.cpuMsPerRequest.toFixed(3).padStart(10)}`,
    );
  }
  return figures;
}

/**
 * How `app` compares with `baseline`: the median over rounds of the ratio within each round. The two ran seconds
 * apart in a round, so a machine that slows down for a minute slows both, where a ratio of the two medians would
 * compare a fast round of one with a slow round of the other.
 */
export function ratio(app: Figures, baseline: Figures) {
  const rounds = app.rounds.map((round, i) => ({ app: round, baseline: baseline.rounds[i]! }));
  return {
    rps: Number(median(rounds.map((r) => r.app.rps / r.baseline.rps)).toFixed(3)),
    cpu: Number(median(rounds.map((r) => r.baseline.cpuMsPerRequest / r.app.cpuMsPerRequest)).toFixed(3)),
  };
}

export type HelperProcess = { url: string; pgid: number; stop(): Promise<void> };

/** Starts `node --import tsx <script> [args]` in its own process group and waits for "listening <port>". */
export async function startListening(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<HelperProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
    env: { ...process.env, NODE_ENV: "production", ...env },
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`${script} exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pgid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Builds the bare React Router app under tests/bench/fixtures with `routes` routes. */
export function buildBareRouter(routes: number): string {
  const dir = path.resolve("tests/bench/fixtures/bare-router");
  execFileSync(process.execPath, [path.resolve("node_modules/@react-router/dev/bin.js"), "build"], {
    cwd: dir,
    env: { ...process.env, BENCH_ROUTES: String(routes), NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return path.join(dir, "server.ts");
}

/** Fetches a page and writes it as a fixture for tests/bench/bare-server.ts. */
export async function pageFixture(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}; the benchmark needs it to render`);
  const body = Buffer.from(await res.arrayBuffer());
  return { contentType: res.headers.get("content-type") ?? "text/html", body: body.toString("base64"), bytes: body.length };
}

/** Signs the demo attendee in over HTTP, as a browser would, and returns the session cookie. */
export async function signInDemoAttendee(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: baseUrl, "Sec-Fetch-Site": "same-origin" },
    body: new URLSearchParams({ email: "attendee@demo.liaison.test", password: "liaison-demo-passphrase" }),
  });
  const cookie = res.headers.getSetCookie().find((line) => line.startsWith("liaison_session="));
  if (res.status !== 302 || !cookie) throw new Error(`signing in the demo attendee answered ${res.status}`);
  return cookie.split(";")[0]!;
}
