import crypto from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import helmet from "helmet";

type HeaderOptions = { hsts: boolean; dev: boolean };

function helmetFor(options: HeaderOptions, scriptSources: string[]) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'", ...scriptSources],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": options.dev ? ["'self'", "ws:"] : ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        ...(options.hsts ? { "upgrade-insecure-requests": [] } : {}),
      },
    },
    strictTransportSecurity: options.hsts ? { maxAge: 63_072_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    crossOriginEmbedderPolicy: false,
    xFrameOptions: { action: "deny" },
  });
}

/**
 * The headers helmet sets with this configuration, recorded once from a response that only keeps them: helmet stays
 * the one source of the policy, and a request pays for one loop of setHeader instead of a dozen middleware calls.
 */
function recordHeaders(options: HeaderOptions, scriptSources: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    removeHeader(name: string) {
      delete headers[name];
    },
  };
  let done = false;
  helmetFor(options, scriptSources)({} as Request, recorder as unknown as Response, () => {
    done = true;
  });
  if (!done) throw new Error("helmet did not finish synchronously");
  return headers;
}

const CSP = "Content-Security-Policy";
const NONCE_SLOT = "@nonce@";

/** Security headers of a rendered response; inline scripts run only with this response's nonce (res.locals.nonce). */
export function securityHeaders(options: HeaderOptions) {
  const recorded = recordHeaders(options, [`'nonce-${NONCE_SLOT}'`]);
  const [cspBefore, cspAfter] = (recorded[CSP] ?? "").split(NONCE_SLOT) as [string, string];
  const fixed = Object.entries(recorded).filter(([name]) => name !== CSP);
  return (_req: Request, res: Response, next: NextFunction): void => {
    const nonce = crypto.randomBytes(16).toString("base64");
    res.locals.nonce = nonce;
    for (const [name, value] of fixed) res.setHeader(name, value);
    res.setHeader(CSP, `${cspBefore}${nonce}${cspAfter}`);
    next();
  };
}

/** The same headers for a page served from the render cache, whose inline scripts are allowed by their hashes. */
export function cachedPageHeaders(options: HeaderOptions): (scriptHashes: string[]) => Record<string, string> {
  return (scriptHashes) => recordHeaders(options, scriptHashes);
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses state-changing requests that a browser says come from another site. Sec-Fetch-Site is sent by every
 * current browser; Origin covers older ones and must name this site: with PUBLIC_URL set, its scheme, host and port
 * exactly (so an http:// page cannot post to the https:// site); without it, the request's Host (a TLS-ending proxy
 * hides the scheme, and a site without PUBLIC_URL is a local one). A
 * request with cookies but neither header is refused too, since no browser that could hold our session sends such
 * a POST. SameSite=Lax cookies are the second line.
 */
export function refuseCrossOrigin(publicUrl: URL | undefined) {
  const expected = publicUrl?.origin;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (SAFE_METHODS.has(req.method)) return next();
    const site = req.get("sec-fetch-site");
    const origin = req.get("origin");
    const refuse = () => res.status(403).type("text/plain").send("Cross-origin request refused.");
    if (site && site !== "same-origin" && site !== "none") return void refuse();
    if (origin !== undefined) {
      if (expected ? !sameOrigin(origin, expected) : !sameHost(origin, req.get("host"))) return void refuse();
    } else if (!site && req.headers.cookie) {
      return void refuse();
    }
    next();
  };
}

/** Both parse, and name the same scheme, host and port (default ports spelled or not). */
function sameOrigin(a: string, b: string): boolean {
  try {
    return a !== "null" && new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

function sameHost(origin: string, host: string | undefined): boolean {
  try {
    return origin !== "null" && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * Pages opened from a mailed link carry its token in the address: no cache (the browser's, a proxy's) may keep them.
 */
export function noStoreForLinkTokens(req: Request, res: Response, next: NextFunction): void {
  if (req.query.token !== undefined) res.setHeader("Cache-Control", "no-store");
  next();
}
