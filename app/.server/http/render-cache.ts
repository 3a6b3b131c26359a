import crypto from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import zlib from "node:zlib";
import { createRequestHandler, matchRoutes, type RouteObject, type ServerBuild } from "react-router";
import { readSessionToken } from "../accounts/cookies.ts";
import { hasPendingNotice } from "./notice.ts";
import { config } from "../config.ts";
import { currentContentVersion } from "../content/version.ts";
import { logger } from "../log.ts";
import type { RequestContext } from "./context.ts";
import { matchesEtag } from "./etag.ts";

/**
 * Anonymous pages that depend on nothing but published content (a route says so with
 * `export const handle = { renderCache: true }`) are rendered once per content version and then served from memory,
 * before Express and its middleware, with an ETag. The page is rendered without a nonce: the CSP of a cached page
 * allows exactly its own inline scripts by their hashes, so the bytes (and their compressed forms) never change.
 */

export type CachedPageHeaders = (scriptHashes: string[]) => Record<string, string>;

type Encoding = "br" | "gzip" | "identity";

type Entry = {
  key: string;
  version: number;
  status: number;
  etag: string;
  bodies: Record<Encoding, Buffer>;
  /** Response headers per encoding, built once: a hit only writes them. */
  headers: Record<Encoding, Record<string, string>>;
  notModified: Record<string, string>;
  bytes: number;
};

export type RenderCacheOptions = {
  build: ServerBuild;
  /** The security headers of a cached page, given the hashes of its inline scripts. */
  headers: CachedPageHeaders;
  maxEntries?: number;
  maxBytes?: number;
};

export type RenderCache = {
  /** Serves the request from the cache (rendering it first on a miss) and answers true, or answers false. */
  handle(req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean>;
  readonly size: number;
};


const CACHEABLE_STATUS = new Set([200, 404]);
const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g;

function routeTree(build: ServerBuild): RouteObject[] {
  const byParent = new Map<string | undefined, RouteObject[]>();
  for (const route of Object.values(build.routes)) {
    if (!route) continue;
    const node = {
      id: route.id,
      path: route.path,
      index: route.index,
      caseSensitive: route.caseSensitive,
      handle: (route.module as { handle?: unknown }).handle,
    } as RouteObject;
    const siblings = byParent.get(route.parentId) ?? [];
    siblings.push(node);
    byParent.set(route.parentId, siblings);
  }
  const attach = (nodes: RouteObject[]): RouteObject[] =>
    nodes.map((node) => {
      const children = byParent.get(node.id);
      return children ? ({ ...node, children: attach(children) } as RouteObject) : node;
    });
  return attach(byParent.get(undefined) ?? []);
}

function scriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const match of html.matchAll(INLINE_SCRIPT)) {
    hashes.add(`'sha256-${crypto.createHash("sha256").update(match[1] ?? "", "utf8").digest("base64")}'`);
  }
  return [...hashes];
}

function acceptedEncoding(header: string | string[] | undefined): Encoding {
  const value = Array.isArray(header) ? header.join(",") : (header ?? "");
  const accepted = new Set<string>();
  for (const part of value.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const refused = params.some((param) => /^\s*q=0(\.0*)?\s*$/.test(param));
    if (name && !refused) accepted.add(name);
  }
  if (accepted.has("br")) return "br";
  if (accepted.has("gzip")) return "gzip";
  return "identity";
}

export function createRenderCache(options: RenderCacheOptions): RenderCache {
  const maxEntries = options.maxEntries ?? 500;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  const routes = routeTree(options.build);
  const render = createRequestHandler(options.build, "production");
  // Map iteration order is insertion order: re-inserting on a hit makes the first key the least recently used.
  const entries = new Map<string, Entry>();
  const rendering = new Map<string, Promise<Entry | null>>();
  const optedIn = new Map<string, boolean>();
  let bytes = 0;

  function routeOptsIn(pathname: string): boolean {
    let known = optedIn.get(pathname);
    if (known === undefined) {
      const matches = matchRoutes(routes, pathname) ?? [];
      const leaf = matches[matches.length - 1]?.route as { handle?: { renderCache?: boolean } } | undefined;
      known = leaf?.handle?.renderCache === true;
      if (optedIn.size > 10_000) optedIn.clear();
      optedIn.set(pathname, known);
    }
    return known;
  }

  function remember(entry: Entry): void {
    const old = entries.get(entry.key);
    if (old) bytes -= old.bytes;
    entries.delete(entry.key);
    entries.set(entry.key, entry);
    bytes += entry.bytes;
    for (const [key, victim] of entries) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break;
      entries.delete(key);
      bytes -= victim.bytes;
    }
  }

  async function renderEntry(key: string, version: number): Promise<Entry | null> {
    // Nothing of the request but its path reaches the render: a cached page must not depend on who asked first.
    const url = new URL(key, config().publicUrl?.origin ?? "http://localhost");
    const context: RequestContext = {
      requestId: crypto.randomUUID(),
      nonce: "",
      ip: null,
      userAgent: null,
      viewer: null,
      pendingMfa: null,
      renderForCache: true,
    };
    const response = await render(new Request(url), context);
    if (!CACHEABLE_STATUS.has(response.status) || response.headers.has("set-cookie")) {
      await response.body?.cancel();
      return null;
    }
    const html = await response.text();
    const identity = Buffer.from(html, "utf8");
    const bodies: Record<Encoding, Buffer> = {
      identity,
      gzip: zlib.gzipSync(identity, { level: 9 }),
      br: zlib.brotliCompressSync(identity, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }),
    };
    const etag = `"${crypto.createHash("sha256").update(identity).digest("base64url").slice(0, 27)}"`;
    const revalidation = { "Cache-Control": "no-cache", Vary: "Accept-Encoding, Cookie", ETag: etag };
    const common = {
      ...options.headers(scriptHashes(html)),
      "Content-Type": response.headers.get("content-type") ?? "text/html; charset=utf-8",
      ...revalidation,
    };
    const headersFor = (encoding: Encoding) => ({
      ...common,
      ...(encoding === "identity" ? {} : { "Content-Encoding": encoding }),
      "Content-Length": String(bodies[encoding].length),
    });
    const entry: Entry = {
      key,
      version,
      status: response.status,
      etag,
      bodies,
      headers: { identity: headersFor("identity"), gzip: headersFor("gzip"), br: headersFor("br") },
      notModified: revalidation,
      bytes: identity.length + bodies.gzip.length + bodies.br.length,
    };
    remember(entry);
    return entry;
  }

  function send(entry: Entry, req: IncomingMessage, res: ServerResponse): void {
    if (entry.status === 200 && matchesEtag(req.headers["if-none-match"], entry.etag)) {
      res.writeHead(304, entry.notModified).end();
      return;
    }
    const encoding = acceptedEncoding(req.headers["accept-encoding"]);
    res.writeHead(entry.status, entry.headers[encoding]).end(req.method === "HEAD" ? undefined : entry.bodies[encoding]);
  }

  async function renderAndSend(key: string, known: number | Promise<number>, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const version = await known;
    const cached = entries.get(key);
    if (cached && cached.version === version) {
      send(cached, req, res);
      return true;
    }
    const flightKey = `${version} ${key}`;
    let flight = rendering.get(flightKey);
    if (!flight) {
      // One render per page and version, however many requests arrive while it runs.
      flight = renderEntry(key, version).finally(() => rendering.delete(flightKey));
      rendering.set(flightKey, flight);
    }
    let entry: Entry | null;
    try {
      entry = await flight;
    } catch (error) {
      logger().error({ err: error, url: key.split("?")[0] }, "render for the cache failed");
      return false;
    }
    if (!entry) return false;
    send(entry, req, res);
    return true;
  }

  /**
   * True when the response is sent (or on its way), false when the request is not the cache's. A hit within the
   * second in which the content version is known is answered synchronously.
   */
  function handle(req: IncomingMessage, res: ServerResponse): boolean | Promise<boolean> {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const key = req.url ?? "/";
    if (!key.startsWith("/") || key.startsWith("//") || readSessionToken(req.headers.cookie) !== null) return false;
    // A one-time notice is for this visitor only: render the page for them.
    if (hasPendingNotice(req.headers.cookie)) return false;
    const cached = entries.get(key);
    if (!cached && !routeOptsIn(key.split("?")[0]!)) return false;
    const version = currentContentVersion();
    if (cached && cached.version === version) {
      entries.delete(key);
      entries.set(key, cached);
      send(cached, req, res);
      return true;
    }
    return renderAndSend(key, version, req, res);
  }

  return {
    handle,
    get size() {
      return entries.size;
    },
  };
}
