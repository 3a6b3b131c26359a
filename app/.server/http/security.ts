import crypto from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import helmet from "helmet";

export function assignNonce(_req: Request, res: Response, next: NextFunction): void {
  res.locals.nonce = crypto.randomBytes(16).toString("base64");
  next();
}

export function securityHeaders(options: { hsts: boolean; dev: boolean }) {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        "default-src": ["'self'"],
        "script-src": ["'self'", (_req, res) => `'nonce-${(res as Response).locals.nonce as string}'`],
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

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses state-changing requests that a browser says come from another site. Sec-Fetch-Site is sent by every
 * current browser; Origin covers older ones; a request with cookies but neither header is refused too, since no
 * browser that could hold our session sends such a POST. SameSite=Lax cookies are the second line.
 */
export function refuseCrossOrigin(req: Request, res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) return next();
  const site = req.get("sec-fetch-site");
  const origin = req.get("origin");
  const refuse = () => res.status(403).type("text/plain").send("Cross-origin request refused.");
  if (site && site !== "same-origin" && site !== "none") return void refuse();
  if (origin !== undefined) {
    let host: string | null = null;
    try {
      host = origin === "null" ? null : new URL(origin).host;
    } catch {
      host = null;
    }
    if (host !== req.get("host")) return void refuse();
  } else if (!site && req.headers.cookie) {
    return void refuse();
  }
  next();
}
