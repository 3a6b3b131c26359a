import { Writable } from "node:stream";
import { ServerRouter, type AppLoadContext, type EntryContext, type HandleErrorFunction } from "react-router";
import { renderToPipeableStream } from "react-dom/server";
import { RenderContextValue } from "./components/request-context.tsx";
import { logger } from "./.server/log.ts";
import { isDatabaseUnavailable } from "#db/client.ts";

const ABORT_DELAY = 5_000;
export const streamTimeout = ABORT_DELAY;

/**
 * Pages are rendered whole and sent in one piece: no loader defers data, so streaming would only add writes and web
 * stream plumbing to every response (measured: about a fifth of a page's CPU).
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  routerContext: EntryContext,
  loadContext: AppLoadContext,
) {
  if (loadContext.databaseFailed) {
    // A loader or action lost the database: RR renders again with this 503 as the error, so the page is the site's
    // own "temporarily unavailable" page whichever query failed (handleError below sets the flag).
    loadContext.databaseFailed = false;
    // A signed-in page already carries "private, no-store" from the session middleware.
    if (!loadContext.viewer && !loadContext.pendingMfa) responseHeaders.set("Cache-Control", "no-store");
    responseHeaders.set("Retry-After", "30");
    throw new Response("The database is out of reach.", { status: 503 });
  }
  const nonce = loadContext.nonce;
  // A render for the cache has no nonce: its scripts are allowed by their hashes.
  const forCache = loadContext.renderForCache === true;
  return new Promise<Response>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
      final(callback) {
        clearTimeout(timer);
        responseHeaders.set("Content-Type", "text/html; charset=utf-8");
        resolve(new Response(Buffer.concat(chunks), { headers: responseHeaders, status: responseStatusCode }));
        callback();
      },
    });
    const { pipe, abort } = renderToPipeableStream(
      <RenderContextValue.Provider value={{ nonce, requestId: forCache ? null : loadContext.requestId }}>
        <ServerRouter context={routerContext} url={request.url} nonce={nonce || undefined} />
      </RenderContextValue.Provider>,
      {
        nonce: nonce || undefined,
        onAllReady() {
          pipe(sink);
        },
        onShellError(error: unknown) {
          clearTimeout(timer);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          logger().error({ err: error, requestId: loadContext.requestId }, "render error");
        },
      },
    );
    const timer = setTimeout(abort, ABORT_DELAY);
  });
}

export const handleError: HandleErrorFunction = (error, { request, context }) => {
  if (request.signal.aborted) return;
  // Responses thrown on purpose (404, 403, redirects) are not errors.
  if (error instanceof Response) return;
  if (isDatabaseUnavailable(error)) context.databaseFailed = true;
  logger().error({ err: error, requestId: context.requestId, url: new URL(request.url).pathname }, "loader or action failed");
};
