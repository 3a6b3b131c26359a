/**
 * What the portal's shell costs per request, in one run, against two baselines:
 * - the anonymous home page from the render cache, against a bare node:http server sending the same bytes;
 * - the anonymous home page with the cache off, and a signed-in home page, against a bare React Router app with as
 *   many routes as the portal (tests/bench/fixtures/bare-router, built here).
 * Each with requests/s, p99 and CPU ms per request of the server process. Rounds are interleaved.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "react-router";
import { spawnServer, tempDir, waitForHealthy } from "#tests/support/server-process.ts";
import { buildBareRouter, type HelperProcess, measure, pageFixture, ratio, signInDemoAttendee, startListening, write } from "./support.ts";



export async function run(): Promise<Record<string, unknown>> {
  const serverBuild = path.resolve("build/server/index.js");
  if (!fs.existsSync(serverBuild)) throw new Error("No server build: run `npm run build` first.");
  const build = (await import(pathToFileURL(serverBuild).href)) as ServerBuild;
  const routeCount = Object.keys(build.routes).length - 1;
  write(`building the bare React Router app with ${routeCount} routes`);
  const bareRouterScript = buildBareRouter(routeCount);

  const work = tempDir("bench-shell");
  // Request logging is part of what a request costs in production, so it stays on, into a file.
  const common = { SEED_DEMO: "1", LOG_LEVEL: "info" };
  const cached = await spawnServer({ dataDir: path.join(work, "cached"), logFile: path.join(work, "cached.log"), env: { ...common, RENDER_CACHE: "1" } });
  const uncached = await spawnServer({ dataDir: path.join(work, "uncached"), logFile: path.join(work, "uncached.log"), env: { ...common, RENDER_CACHE: "0" } });
  const helpers: HelperProcess[] = [];
  try {
    await Promise.all([waitForHealthy(cached, 90_000), waitForHealthy(uncached, 90_000)]);
    const cookie = await signInDemoAttendee(uncached.url);

    const home = await pageFixture(`${cached.url}/`, { "Accept-Encoding": "identity" });
    write(`/: ${home.bytes} bytes`);
    const fixturesFile = path.join(work, "fixtures.json");
    fs.writeFileSync(fixturesFile, JSON.stringify({ "/": home }));
    helpers.push(await startListening("tests/bench/bare-server.ts", [fixturesFile]));
    helpers.push(await startListening(bareRouterScript));
    const [bareHttp, bareRouter] = helpers as [HelperProcess, HelperProcess];

    const figures = await measure([
      { label: "app / anonymous, cache hit", url: `${cached.url}/`, pgid: cached.child.pid! },
      { label: "bare node:http, same bytes", url: `${bareHttp.url}/`, pgid: bareHttp.pgid },
      { label: "app / anonymous, cache off", url: `${uncached.url}/`, pgid: uncached.child.pid! },
      { label: "app / signed in", url: `${uncached.url}/`, pgid: uncached.child.pid!, headers: { Cookie: cookie } },
      { label: `bare React Router, ${routeCount} routes`, url: `${bareRouter.url}/`, pgid: bareRouter.pgid },
    ]);
    const [hit, bare, cold, signedIn, router] = figures as [(typeof figures)[number], ...(typeof figures)[number][]];
    const ratios = {
      cacheHitVsBareHttp: ratio(hit, bare!),
      uncachedVsBareRouter: ratio(cold!, router!),
      signedInVsBareRouter: ratio(signedIn!, router!),
    };
    write();
    write(`cache hit / bare node:http:         ${ratios.cacheHitVsBareHttp.rps} (req/s), ${ratios.cacheHitVsBareHttp.cpu} (CPU)   goal >= 0.5`);
    write(`uncached / bare React Router:       ${ratios.uncachedVsBareRouter.rps} (req/s), ${ratios.uncachedVsBareRouter.cpu} (CPU)   goal >= 0.8`);
    write(`signed in / bare React Router:      ${ratios.signedInVsBareRouter.rps} (req/s), ${ratios.signedInVsBareRouter.cpu} (CPU)   goal >= 0.7`);
    return { routes: routeCount, figures, ratios };
  } finally {
    for (const helper of helpers) await helper.stop();
    await Promise.all([cached.stop(), uncached.stop()]);
    fs.rmSync(work, { recursive: true, force: true });
  }
}
