import type { IncomingHttpHeaders } from "node:http";
import { createReadableStreamFromReadable, writeReadableStreamToWritable } from "@react-router/node";
import { createRequestHandler, type ServerBuild } from "react-router";
import type { NextFunction, Request, Response } from "express";
import type { RequestContext } from "./context.ts";
import { closeWithoutReading, countedBody, refuseTooLarge } from "./body-limit.ts";

type Options = {
  build: ServerBuild | (() => Promise<ServerBuild>);
  mode: string;
  getLoadContext: (req: Request, res: Response) => RequestContext;
};

/**
 * Hands a request to React Router. Our own rather than @react-router/express's so that the body React Router reads
 * is the counted one (http/body-limit.ts): no route can read more of it than the transport allows.
 */
export function createReactRouterHandler({ build, mode, getLoadContext }: Options) {
  const handle = createRequestHandler(build, mode);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    let cut = false;
    try {
      const limit = res.locals.bodyLimit as number | undefined;
      const controller = new AbortController();
      res.once("close", () => {
        if (!res.writableFinished) controller.abort();
      });
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const body = hasBody && limit !== undefined ? countedBody(req, limit, () => (cut = true)) : undefined;
      const request = new globalThis.Request(requestUrl(req), {
        method: req.method,
        headers: toHeaders(req.headers),
        signal: controller.signal,
        ...(body ? { body: createReadableStreamFromReadable(body), duplex: "half" } : {}),
      } as RequestInit);
      const response = await handle(request, getLoadContext(req, res));
      if (res.destroyed || res.writableEnded) {
        await response.body?.cancel();
        return;
      }
      // A route that did not turn an over-long body into its 413 still answers 413, not a 500.
      if (cut && response.status >= 500) {
        await response.body?.cancel();
        return refuseTooLarge(req, res, limit!);
      }
      // Answered before the whole body arrived: close the connection rather than read the rest to reuse it.
      if (hasBody && !req.complete) closeWithoutReading(req, res);
      res.status(response.status);
      for (const [key, value] of response.headers) {
        // A route's own Cache-Control replaces the session middleware's default: only the route knows whether what it
        // sends depends on the viewer (the tracks' stylesheet does not).
        if (key === "cache-control") res.setHeader(key, value);
        else res.append(key, value);
      }
      if (response.body) await writeReadableStreamToWritable(response.body, res);
      else res.end();
    } catch (error) {
      next(error);
    }
  };
}

function requestUrl(req: Request): string {
  // The host the client asked for; behind a trusted proxy (TRUST_PROXY) the one it forwarded.
  const forwarded = req.app.enabled("trust proxy") ? req.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  const host = forwarded || req.get("host") || "";
  const safeHost = /^[a-z0-9.-]+(:\d+)?$|^\[[0-9a-f:.]+\](:\d+)?$/i.test(host) ? host : "localhost";
  return new URL(req.originalUrl, `${req.protocol}://${safeHost}`).href;
}

/** Node's request headers as a Fetch `Headers`, repeated headers kept. */
export function toHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}
