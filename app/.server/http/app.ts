import crypto from "node:crypto";
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import zlib from "node:zlib";
import type { ServerBuild } from "react-router";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import { isDatabaseUnavailable, ping } from "#db/client.ts";
import { config } from "../config.ts";
import { logger } from "../log.ts";
import { limitRequestBodies } from "./body-limit.ts";
import type { RequestContext } from "./context.ts";
import { createReactRouterHandler } from "./react-router-handler.ts";
import { createRenderCache } from "./render-cache.ts";
import { cachedPageHeaders, noStoreForLinkTokens, refuseCrossOrigin, securityHeaders } from "./security.ts";
import { resolveSession } from "./session-middleware.ts";
import { createUnavailablePage } from "./unavailable.ts";
import { takeNotice } from "./notice.ts";

export type AppSource =
  | { mode: "production"; build: ServerBuild; clientDir: string }
  | { mode: "development"; build: () => Promise<ServerBuild>; viteMiddleware: express.RequestHandler };

/**
 * One log line per request, with an id that the response carries (X-Request-Id) and the error page shows. Written by
 * hand rather than with pino-http, which builds a child logger and serialises the whole request every time.
 */
function requestLog() {
  const log = logger();
  return (req: Request, res: Response, next: NextFunction): void => {
    const id = crypto.randomUUID();
    (req as unknown as { id: string }).id = id;
    res.setHeader("X-Request-Id", id);
    if (req.url === "/healthz" || req.url.startsWith("/assets/")) return next();
    const started = performance.now();
    res.once("finish", () => {
      const fields = { reqId: id, method: req.method, path: req.path, status: res.statusCode, ms: Math.round((performance.now() - started) * 10) / 10 };
      if (res.statusCode >= 500) log.error(fields, "request");
      else log.info(fields, "request");
    });
    next();
  };
}

export function createHttpApp(source: AppSource): express.Express {
  const app = express();
  const cfg = config();
  app.disable("x-powered-by");
  // One proxy hop: the address it saw. `true` would take the left-most X-Forwarded-For entry, which clients write.
  app.set("trust proxy", cfg.trustProxy ? 1 : false);

  app.use(requestLog());
  app.use(securityHeaders({ hsts: cfg.secureCookies, dev: source.mode === "development" }));
  // Pages rendered per request are compressed cheaply; cached pages carry their own best-compressed bytes.
  app.use(
    compression({
      level: 4,
      brotli: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 3, [zlib.constants.BROTLI_PARAM_LGWIN]: 18 } },
    }),
  );

  if (source.mode === "production") {
    app.use("/assets", express.static(path.join(source.clientDir, "assets"), { immutable: true, maxAge: "1y", index: false }));
    // Only the few files at the top of the client build reach the file system; a page request never pays a stat.
    const topFiles = new Set(
      fs.readdirSync(source.clientDir, { withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => `/${entry.name}`),
    );
    const files = express.static(source.clientDir, { maxAge: "1h", index: false });
    app.use((req, res, next) => (topFiles.has(req.path) ? files(req, res, next) : next()));
  } else {
    app.use(source.viteMiddleware);
  }

  app.get("/healthz", async (_req, res) => {
    try {
      // Its own short limit: a load balancer learns within it that this instance cannot reach the database.
      await ping(cfg.healthzTimeoutMs);
      res.set("Cache-Control", "no-store").json({ status: "ok", database: "ok" });
    } catch (error) {
      logger().error({ err: error }, "health check failed");
      res.status(503).set("Cache-Control", "no-store").json({ status: "unavailable", database: "unreachable" });
    }
  });

  app.use(refuseCrossOrigin(cfg.publicUrl));
  app.use(noStoreForLinkTokens);
  app.use(limitRequestBodies(cfg.limits));
  app.use(resolveSession);
  app.use(takeNotice);

  app.all(
    "*",
    createReactRouterHandler({
      build: source.build,
      mode: source.mode,
      getLoadContext: (req, res): RequestContext => ({
        requestId: String((req as unknown as { id: string }).id),
        nonce: res.locals.nonce as string,
        ip: req.ip ?? null,
        userAgent: req.get("user-agent") ?? null,
        viewer: res.locals.viewer ?? null,
        pendingMfa: res.locals.pendingMfa ?? null,
        notice: (res.locals.notice as string | null) ?? null,
      }),
    }),
  );

  const unavailablePage = createUnavailablePage(source.build, source.mode);
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const requestId = String((req as unknown as { id: string }).id);
    logger().error({ err: error, requestId }, "unhandled error");
    if (res.headersSent) return res.end();
    if (isDatabaseUnavailable(error)) return void unavailablePage(req, res);
    const status = (error as { status?: number }).status;
    if (status === 400 || status === 413) {
      return res.status(status).type("text/plain").send(status === 413 ? "Request too large." : "Malformed request.");
    }
    res.status(500).type("text/plain").send(`Something went wrong. Reference: ${requestId}`);
  });
  return app;
}

/**
 * The process's request listener: anonymous pages from the render cache first, everything else through Express.
 * `renderCache: false` (RENDER_CACHE=0) sends every request through Express, for comparison.
 */
export function createRequestListener(source: AppSource, options: { renderCache: boolean }) {
  const app = createHttpApp(source);
  if (source.mode !== "production" || !options.renderCache) return app;
  const cfg = config();
  const cache = createRenderCache({
    build: source.build,
    headers: cachedPageHeaders({ hsts: cfg.secureCookies, dev: false }),
  });
  return (req: IncomingMessage, res: ServerResponse) => {
    const served = cache.handle(req, res);
    if (served === true) return;
    if (served === false) return void app(req, res);
    served.then(
      (done) => {
        if (!done) app(req, res);
      },
      (error: unknown) => {
        logger().error({ err: error }, "render cache failed");
        app(req, res);
      },
    );
  };
}
