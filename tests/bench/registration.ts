/**
 * Registration under load, against a Postgres server (`npm run bench -- registration [postgres://…/postgres]`; the
 * default is the local server). The production build runs on a fresh database with the demo program, registration
 * open and approving everyone while seats last. 50 concurrent clients, each a different signed-in attendee, register
 * (POST /register) and then sign up for one of the demo's breakout sessions (POST /register/breakouts); half the
 * sessions are cut to 10 seats and fill at once, so half the sign-ups take the waitlist path. In the same run, interleaved, the same
 * clients send a trivial signed-in form POST of the same app (revoking a calendar feed: the session check and one
 * statement). Reported: registrations per second, p99 of all requests, CPU ms per request of the server process, and
 * the ratio of the two.
 */
import crypto from "node:crypto";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { hashToken } from "#app/.server/accounts/tokens.ts";
import { spawnServer, tempDir, waitForHealthy } from "#tests/support/server-process.ts";
import { commandCpuMs, groupCpuMs, machineCpuMs, median, write } from "./support.ts";

const CLIENTS = 50;
const ROUND_SECONDS = 5;
const ROUNDS = 3;
const USERS = 8_000;

/** Where the machine's CPU went in a round, in cores: the app server, Postgres, this load generator, everything. */
type CpuSplit = { server: number; postgres: number; client: number; machine: number };
type Round = { requests: number; registrations: number; errors: number; latencies: number[]; cpuMs: number; seconds: number; cores: CpuSplit };

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const serverUrl = args[0] ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `liaison_bench_${crypto.randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const work = tempDir("bench-registration");
  const app = await spawnServer({
    databaseUrl,
    logFile: path.join(work, "server.log"),
    env: { SEED_DEMO: "1", LOG_LEVEL: "info", LIAISON_SECRET: crypto.randomBytes(32).toString("base64"), DATABASE_POOL_MAX: "10" },
  });
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  try {
    await waitForHealthy(app, 120_000);
    // Open for everyone, no limit at the conference.
    await sql`update registration_settings set approval = 'open', capacity = null, change_deadline = null`;
    await sql`update conferences set registration_state = 'open', registration_opens_on = null, registration_closes_on = null where current`;
    await sql`
      insert into users (email, password_hash, name, agency, job_title, country, email_verified_at)
      select 'bench-' || i || '@agency.example', 'x', 'Bench Attendee ' || i, 'Bench Agency', 'Officer', 'US', now() from generate_series(1, ${USERS}) i`;
    const benchUsers = await sql<{ id: string; email: string }[]>`select id, email from users where email like 'bench-%'`;
    // A session token is 32 base32 characters: the attendee's number in base32, padded.
    const tokenOf = (i: number) => [...i.toString(32).padStart(32, "0")].map((digit) => "abcdefghijklmnopqrstuvwxyz234567"[parseInt(digit, 32)]).join("");
    const userIndex = (email: string) => Number(/^bench-(\d+)@/.exec(email)![1]);
    await sql`
      insert into sessions (id, user_id)
      select * from unnest(${sql.array(benchUsers.map((user) => hashToken(tokenOf(userIndex(user.email)))))}::text[], ${sql.array(benchUsers.map((user) => user.id))}::uuid[])`;
    const breakouts = (await sql<{ id: string }[]>`
      select s.id from program_sessions s join conferences c on c.id = s.conference_id
      where c.current and s.capacity is not null and s.status <> 'cancelled' and s.audience <> 'members'`).map((row) => row.id);
    // Half the sessions get 10 seats, so they fill within the first second and the waitlist path runs too.
    await sql`update program_sessions set capacity = 10 where id in ${sql(breakouts.filter((_, i) => i % 2 === 0))}`;
    const [conference] = await sql<{ starts_on: string; ends_on: string }[]>`select starts_on::text, ends_on::text from conferences where current`;
    write(`${USERS} signed-in attendees, ${breakouts.length} breakout sessions with limited seats, ${CLIENTS} clients`);

    let nextUser = 0;
    const cookieOf = (i: number) => `liaison_session=${tokenOf(i)}`;
    const headers = (cookie: string) => ({ "Content-Type": "application/x-www-form-urlencoded", Origin: app.url, "Sec-Fetch-Site": "same-origin", Cookie: cookie });
    const form = new URLSearchParams({
      intent: "register",
      category: "us_federal",
      agency: "Bench Agency",
      jobTitle: "Officer",
      country: "US",
      arrivalOn: conference!.starts_on,
      departureOn: conference!.ends_on,
      directoryConsent: "on",
    }).toString();

    async function timed(round: Round, url: string, cookie: string, body: string, expected: number): Promise<void> {
      const started = performance.now();
      const res = await fetch(url, { method: "POST", redirect: "manual", headers: headers(cookie), body });
      await res.arrayBuffer();
      round.latencies.push(performance.now() - started);
      round.requests += 1;
      if (res.status !== expected && round.errors++ === 0) write(`  ${url} answered ${res.status}, expected ${expected}`);
    }

    /** 50 clients for `seconds`: each registers a fresh attendee and signs them up for a breakout, or sends the trivial POST. */
    async function load(kind: "registration" | "trivial", seconds: number): Promise<Round> {
      const round: Round = { requests: 0, registrations: 0, errors: 0, latencies: [], cpuMs: 0, seconds, cores: { server: 0, postgres: 0, client: 0, machine: 0 } };
      const cpuBefore = groupCpuMs(app.child.pid!);
      const postgresBefore = commandCpuMs("postgres");
      const clientBefore = process.cpuUsage();
      const machineBefore = machineCpuMs();
      const started = performance.now();
      const deadline = started + seconds * 1000;
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          while (performance.now() < deadline) {
            if (kind === "trivial") {
              await timed(round, `${app.url}/agenda/mine`, cookieOf(client + 1), "intent=revoke-feed", 200);
              continue;
            }
            const user = ++nextUser;
            if (user > USERS) throw new Error("the benchmark ran out of attendees: raise USERS");
            const cookie = cookieOf(user);
            await timed(round, `${app.url}/register`, cookie, form, 302);
            round.registrations += 1;
            const session = breakouts[user % breakouts.length]!;
            await timed(round, `${app.url}/register/breakouts`, cookie, `intent=sign-up&sessionId=${session}`, 302);
          }
        }),
      );
      round.seconds = (performance.now() - started) / 1000;
      round.cpuMs = groupCpuMs(app.child.pid!) - cpuBefore;
      const client = process.cpuUsage(clientBefore);
      const machine = machineCpuMs();
      const ms = round.seconds * 1000;
      round.cores = {
        server: round.cpuMs / ms,
        postgres: (commandCpuMs("postgres") - postgresBefore) / ms,
        client: (client.user + client.system) / 1000 / ms,
        machine: (machine.busy - machineBefore.busy) / ms,
      };
      return round;
    }

    write(`warming up (2 s each), then ${ROUNDS} interleaved rounds of ${ROUND_SECONDS} s`);
    await load("trivial", 2);
    await load("registration", 2);
    const rounds: Record<"registration" | "trivial", Round[]> = { registration: [], trivial: [] };
    for (let i = 1; i <= ROUNDS; i++) {
      for (const kind of ["registration", "trivial"] as const) {
        const round = await load(kind, ROUND_SECONDS);
        if (round.errors > 0) throw new Error(`${kind}: ${round.errors} unexpected answers in round ${i}`);
        rounds[kind].push(round);
        write(`  round ${i} ${kind.padEnd(13)} ${Math.round(round.requests / round.seconds).toString().padStart(6)} req/s${kind === "registration" ? `, ${Math.round(round.registrations / round.seconds)} registrations/s` : ""}`);
      }
    }

    const summary = (kind: "registration" | "trivial") => {
      const runs = rounds[kind];
      const p99 = (latencies: number[]) => [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length * 0.99)] ?? 0;
      return {
        rps: Math.round(median(runs.map((r) => r.requests / r.seconds))),
        registrationsPerSecond: Math.round(median(runs.map((r) => r.registrations / r.seconds))),
        p50Ms: Number(median(runs.map((r) => [...r.latencies].sort((a, b) => a - b)[Math.floor(r.latencies.length / 2)] ?? 0)).toFixed(1)),
        p99Ms: Number(median(runs.map((r) => p99(r.latencies))).toFixed(1)),
        cpuMsPerRequest: Number(median(runs.map((r) => r.cpuMs / Math.max(1, r.requests))).toFixed(3)),
        cores: Object.fromEntries(
          (["server", "postgres", "client", "machine"] as const).map((part) => [part, Number(median(runs.map((r) => r.cores[part])).toFixed(2))]),
        ) as CpuSplit,
      };
    };
    const registration = summary("registration");
    const trivial = summary("trivial");
    const [counts] = await sql<{ approved: number; confirmed: number; waitlisted: number }[]>`
      select (select count(*)::int from registrations where status = 'approved') as approved,
             (select count(*)::int from breakout_signups where status = 'confirmed') as confirmed,
             (select count(*)::int from breakout_signups where status = 'waitlisted') as waitlisted`;
    const [ledger] = await sql<{ drift: number }[]>`
      select count(*)::int as drift from breakout_seats b
      where b.seats_taken <> (select count(*) from breakout_signups s where s.session_id = b.session_id and s.status = 'confirmed')`;
    write();
    write(`${"target".padEnd(40)} ${"req/s".padStart(7)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"CPU ms/req".padStart(10)}`);
    write(`${"register + breakout sign-up".padEnd(40)} ${String(registration.rps).padStart(7)} ${registration.p50Ms.toFixed(1).padStart(7)} ${registration.p99Ms.toFixed(1).padStart(7)} ${registration.cpuMsPerRequest.toFixed(3).padStart(10)}`);
    write(`${"trivial signed-in form POST".padEnd(40)} ${String(trivial.rps).padStart(7)} ${trivial.p50Ms.toFixed(1).padStart(7)} ${trivial.p99Ms.toFixed(1).padStart(7)} ${trivial.cpuMsPerRequest.toFixed(3).padStart(10)}`);
    write();
    const cores = (c: CpuSplit) => `server ${c.server}, Postgres ${c.postgres}, load generator ${c.client}, whole machine ${c.machine} of ${os.cpus().length}`;
    write(`cores busy, registration rounds: ${cores(registration.cores)}`);
    write(`cores busy, trivial rounds:      ${cores(trivial.cores)}`);
    write(`registrations/s: ${registration.registrationsPerSecond}; ratio to the trivial POST: ${(registration.rps / trivial.rps).toFixed(2)} (req/s), ${(trivial.cpuMsPerRequest / registration.cpuMsPerRequest).toFixed(2)} (CPU)`);
    write(`in the database: ${counts!.approved} approved, ${counts!.confirmed} breakout seats, ${counts!.waitlisted} on breakout waitlists; ledgers out of step: ${ledger!.drift}`);
    if (ledger!.drift !== 0) throw new Error("a session's seat count does not match its confirmed sign-ups");
    return {
      clients: CLIENTS,
      registrationsPerSecond: registration.registrationsPerSecond,
      registration,
      trivial,
      ratio: { rps: Number((registration.rps / trivial.rps).toFixed(3)), cpu: Number((trivial.cpuMsPerRequest / registration.cpuMsPerRequest).toFixed(3)) },
      database: counts,
    };
  } finally {
    await sql.end();
    await app.stop();
    const again = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await again.unsafe(`drop database if exists ${name} with (force)`);
    await again.end();
  }
}
