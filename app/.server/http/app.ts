import crypto from "node:crypto";
import path from "node:path";
import { createRequestHandler } from "@react-router/express";
import type { ServerBuild } from "react-router";
import compression from "compression";
import express, { type NextFunction, type Request, type Response } from "express";
import { pinoHttp } from "pino-http";
import { isDatabaseUnavailable, ping } from "#db/client.ts";
import { config } from "../config.ts";
import { logger } from "../log.ts";
import type { RequestContext } from "./context.ts";
import { assignNonce, refuseCrossOrigin, securityHeaders } from "./security.ts";
import { resolveSession } from "./session-middleware.ts";
import { createUnavailablePage } from "./unavailable.ts";

export type AppSource =
  | { mode: "production"; build: ServerBuild; clientDir: string }
  | { mode: "development"; build: () => Promise<ServerBuild>; viteMiddleware: express.RequestHandler };

export function createHttpApp(source: AppSource): express.Express {
  const app = express();
  const cfg = config();
  app.disable("x-powered-by");
  // One proxy hop: the address it saw. `true` would take the left-most X-Forwarded-For entry, which clients write.
  app.set("trust proxy", cfg.trustProxy ? 1 : false);

  app.use(
    pinoHttp({
      logger: logger(),
      genReqId: (req, res) => {
        const id = crypto.randomUUID();
        res.setHeader("X-Request-Id", id);
        return id;
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? "error" : "info"),
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url.split("?")[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === "/healthz" || req.url?.startsWith("/assets/") === true },
    }),
  );
  app.use(assignNonce);
  app.use(securityHeaders({ hsts: cfg.secureCookies, dev: source.mode === "development" }));
  app.use(compression());

  if (source.mode === "production") {
    app.use("/assets", express.static(path.join(source.clientDir, "assets"), { immutable: true, maxAge: "1y", index: false }));
    app.use(express.static(source.clientDir, { maxAge: "1h", index: false }));
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

  app.use(refuseCrossOrigin);
  app.use(resolveSession);

  app.all(
    "*",
    createRequestHandler({
      build: source.build,
      mode: source.mode,
      getLoadContext: (req, res): RequestContext => ({
        requestId: String((req as unknown as { id: string }).id),
        nonce: res.locals.nonce as string,
        ip: req.ip ?? null,
        userAgent: req.get("user-agent") ?? null,
        viewer: res.locals.viewer ?? null,
        pendingMfa: res.locals.pendingMfa ?? null,
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
