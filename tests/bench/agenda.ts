/**
 * What the program costs per request, on a generated program of 300 sessions over 5 days, in one run:
 * - the public agenda from the render cache, against bare node:http sending the same bytes;
 * - the public agenda with the cache off, against the anonymous home page with the cache off;
 * - a signed-in personal agenda of 20 starred sessions, against the signed-in home page.
 * Each with requests/s, p99 and CPU ms per request of the server process. Rounds are interleaved.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { spawnServer, tempDir, waitForHealthy, type ServerProcess } from "#tests/support/server-process.ts";
import { type HelperProcess, measure, pageFixture, ratio, signInDemoAttendee, startListening, write } from "./support.ts";

const DAYS = 5;
const ROOMS = 6;
const SLOTS_PER_DAY = 10;
const STARRED = 20;
const TRACKS = ["targeting", "dark-web", "precursors", "cooperation"];
const TYPES = ["breakout", "panel", "workshop", "plenary"];

function isoDay(offset: number): string {
  return new Date(Date.UTC(2028, 5, 5 + offset)).toISOString().slice(0, 10);
}

/** A program directory of one published, current edition: 5 days × 10 hourly slots × 6 rooms = 300 sessions. */
function generateProgram(dir: string): void {
  fs.cpSync(path.resolve("content/program/speakers"), path.join(dir, "speakers"), { recursive: true });
  const speakers = fs.readdirSync(path.join(dir, "speakers")).filter((file) => file.endsWith(".md")).map((file) => file.slice(0, -3));
  const edition = path.join(dir, "bench-2028");
  fs.mkdirSync(path.join(edition, "sessions"), { recursive: true });
  const frontmatter = [
    "name: Benchmark Targeting Conference 2028",
    `starts: ${isoDay(0)}`,
    `ends: ${isoDay(DAYS - 1)}`,
    "venue: Benchmark Hall",
    "city: Alexandria, Virginia",
    "timeZone: America/New_York",
    "registration:",
    "  state: open",
    `  opens: ${isoDay(-60)}`,
    `  closes: ${isoDay(-7)}`,
    "contact: program@bench.example",
    "current: true",
    "published: true",
    "tracks:",
    ...TRACKS.flatMap((slug, i) => [`  - slug: ${slug}`, `    name: Track ${i + 1} ${slug}`, `    colour: "#1f6feb"`]),
    "rooms:",
    ...Array.from({ length: ROOMS }, (_, i) => [`  - slug: room-${i + 1}`, `    name: Room ${i + 1}`, "    capacity: 100"]).flat(),
  ];
  fs.writeFileSync(path.join(edition, "conference.md"), `---\n${frontmatter.join("\n")}\n---\n\nA generated edition for the agenda benchmark.\n`);
  let n = 0;
  for (let day = 0; day < DAYS; day++) {
    for (let slot = 0; slot < SLOTS_PER_DAY; slot++) {
      for (let room = 0; room < ROOMS; room++) {
        n++;
        // Six sessions at a time, six different speakers: nobody is booked twice.
        const speaker = speakers[(slot * ROOMS + room) % speakers.length]!;
        const hour = String(8 + slot).padStart(2, "0");
        const session = [
          `title: "Session ${n}: targeting parcels, presses and vendors, part ${n}"`,
          `type: ${TYPES[n % TYPES.length]}`,
          `day: ${isoDay(day)}`,
          `start: "${hour}:00"`,
          `end: "${hour}:50"`,
          `room: room-${room + 1}`,
          `track: ${TRACKS[n % TRACKS.length]}`,
          `speakers: [${speaker}]`,
        ];
        fs.writeFileSync(
          path.join(edition, "sessions", `session-${n}.md`),
          `---\n${session.join("\n")}\n---\n\nWhat session ${n} covers: cases, methods and what the agencies learned, in a paragraph of ordinary length for an abstract.\n`,
        );
      }
    }
  }
}

const common = { SEED_DEMO: "1", LOG_LEVEL: "info" };

/** A data directory with the demo accounts and the generated program (also used to profile the agenda by hand). */
export async function prepareDatabase(work: string): Promise<string> {
  const programDir = path.join(work, "program");
  generateProgram(programDir);
  write(`generated ${DAYS * SLOTS_PER_DAY * ROOMS} sessions over ${DAYS} days`);
  const dataDir = path.join(work, "uncached");
  const seeding = await spawnServer({ dataDir, logFile: path.join(work, "seed.log"), env: common });
  await waitForHealthy(seeding, 90_000);
  await seeding.stop();
  execFileSync(process.execPath, ["--import", "tsx", "content/import.ts", programDir], {
    env: { ...process.env, NODE_ENV: "production", LIAISON_DATA_DIR: dataDir, LOG_LEVEL: "warn" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return dataDir;
}


/** Stars the first sessions of the schedule export, one POST each, as a reader's browser would without JavaScript. */
async function starSessions(app: ServerProcess, cookie: string, count: number): Promise<void> {
  const schedule = (await (await fetch(`${app.url}/agenda/schedule.json`)).json()) as {
    schedule: { conference: { days: { rooms: Record<string, { guid: string }[]> }[] } };
  };
  const ids = schedule.schedule.conference.days
    .flatMap((day) => Object.values(day.rooms).flat())
    .map((event) => event.guid)
    .slice(0, count);
  if (ids.length < count) throw new Error(`the schedule export lists ${ids.length} sessions, fewer than ${count}`);
  for (const id of ids) {
    const res = await fetch(`${app.url}/agenda/sessions/${id}`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: app.url, "Sec-Fetch-Site": "same-origin", Cookie: cookie },
      body: new URLSearchParams({ intent: "star" }),
    });
    if (res.status >= 400) throw new Error(`starring ${id} answered ${res.status}`);
  }
}

export async function run(): Promise<Record<string, unknown>> {
  if (!fs.existsSync(path.resolve("build/server/index.js"))) throw new Error("No server build: run `npm run build` first.");
  const work = tempDir("bench-agenda");
  const first = await prepareDatabase(work);
  const second = path.join(work, "cached");
  fs.cpSync(first, second, { recursive: true });

  const cached = await spawnServer({ dataDir: second, logFile: path.join(work, "cached.log"), env: { ...common, RENDER_CACHE: "1" } });
  const uncached = await spawnServer({ dataDir: first, logFile: path.join(work, "uncached.log"), env: { ...common, RENDER_CACHE: "0" } });
  const helpers: HelperProcess[] = [];
  try {
    await Promise.all([waitForHealthy(cached, 90_000), waitForHealthy(uncached, 90_000)]);
    const cookie = await signInDemoAttendee(uncached.url);
    await starSessions(uncached, cookie, STARRED);

    const agenda = await pageFixture(`${cached.url}/agenda`, { "Accept-Encoding": "identity" });
    const sessionsShown = (Buffer.from(agenda.body, "base64").toString("utf8").match(/href="\/agenda\/sessions\/[^"]+"/g) ?? []).length;
    write(`/agenda: ${agenda.bytes} bytes, ${sessionsShown} session links`);
    const fixturesFile = path.join(work, "fixtures.json");
    fs.writeFileSync(fixturesFile, JSON.stringify({ "/agenda": agenda }));
    helpers.push(await startListening("tests/bench/bare-server.ts", [fixturesFile]));
    const bareHttp = helpers[0]!;

    const figures = await measure([
      { label: "agenda anonymous, cache hit", url: `${cached.url}/agenda`, pgid: cached.child.pid! },
      { label: "bare node:http, same bytes", url: `${bareHttp.url}/agenda`, pgid: bareHttp.pgid },
      { label: "agenda anonymous, cache off", url: `${uncached.url}/agenda`, pgid: uncached.child.pid! },
      { label: "home anonymous, cache off", url: `${uncached.url}/`, pgid: uncached.child.pid! },
      { label: `my agenda, ${STARRED} starred`, url: `${uncached.url}/agenda/mine`, pgid: uncached.child.pid!, headers: { Cookie: cookie } },
      { label: "home signed in", url: `${uncached.url}/`, pgid: uncached.child.pid!, headers: { Cookie: cookie } },
      // Seven short rounds: the ratios, medians of each round's own, move by several hundredths between runs of three.
    ], { rounds: 7, roundSeconds: 4 });
    const [hit, bare, cold, coldHome, mine, signedInHome] = figures as [(typeof figures)[number], ...(typeof figures)[number][]];
    const ratios = {
      cacheHitVsBareHttp: ratio(hit, bare!),
      uncachedAgendaVsUncachedHome: ratio(cold!, coldHome!),
      personalAgendaVsSignedInHome: ratio(mine!, signedInHome!),
    };
    write();
    write(`agenda cache hit / bare node:http:      ${ratios.cacheHitVsBareHttp.rps} (req/s), ${ratios.cacheHitVsBareHttp.cpu} (CPU)   goal >= 0.5`);
    write(`agenda uncached / home uncached:        ${ratios.uncachedAgendaVsUncachedHome.rps} (req/s), ${ratios.uncachedAgendaVsUncachedHome.cpu} (CPU)   goal >= 0.4`);
    write(`my agenda / home signed in:             ${ratios.personalAgendaVsSignedInHome.rps} (req/s), ${ratios.personalAgendaVsSignedInHome.cpu} (CPU)   goal >= 0.5`);
    return { sessions: DAYS * SLOTS_PER_DAY * ROOMS, agendaBytes: agenda.bytes, figures, ratios };
  } finally {
    for (const helper of helpers) await helper.stop();
    await Promise.all([cached.stop(), uncached.stop()]);
    fs.rmSync(work, { recursive: true, force: true });
  }
}
