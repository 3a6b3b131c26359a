import type { Request, Response } from "express";
import { createRequestHandler, type ServerBuild } from "react-router";
import type { RequestContext } from "./context.ts";

/** A path no route but the catch-all matches, so that no page's loader asks the database again. */
const RENDER_PATH = "/__unavailable";

/**
 * The site's own 503 page: the shell with its error page, rendered by React Router with `databaseUnavailable` in
 * the load context (the root loader throws a 503 on it). Falls back to plain text if even that fails.
 */
export function createUnavailablePage(build: ServerBuild | (() => Promise<ServerBuild>), mode: string) {
  const render = createRequestHandler(build, mode);
  return async (req: Request, res: Response): Promise<void> => {
    res.status(503).set({ "Cache-Control": "no-store", "Retry-After": "30" });
    try {
      const context: RequestContext = {
        requestId: String((req as unknown as { id: string }).id),
        nonce: res.locals.nonce as string,
        ip: req.ip ?? null,
        userAgent: req.get("user-agent") ?? null,
        viewer: null,
        pendingMfa: null,
        databaseUnavailable: true,
      };
      const page = await render(new globalThis.Request(new URL(RENDER_PATH, "http://liaison.internal"), { headers: { Accept: "text/html" } }), context);
      res.type(page.headers.get("content-type") ?? "text/html").send(await page.text());
    } catch {
      res.type("text/plain").send("The site cannot reach its database right now. Please try again in a minute.");
    }
  };
}
