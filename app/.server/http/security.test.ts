import type { NextFunction, Request, Response } from "express";
import { describe, expect, it } from "vitest";
import { refuseCrossOrigin } from "./security.ts";

/** The answer of the middleware to a POST with these headers: "next" when it lets the request through. */
function answer(publicUrl: string | undefined, headers: Record<string, string>): number | "next" {
  let status: number | "next" = "next";
  const req = { method: "POST", headers, get: (name: string) => headers[name.toLowerCase()] } as unknown as Request;
  const res = {
    status(code: number) {
      status = code;
      return this;
    },
    type() {
      return this;
    },
    send() {
      return this;
    },
  } as unknown as Response;
  refuseCrossOrigin(publicUrl ? new URL(publicUrl) : undefined)(req, res, (() => undefined) as NextFunction);
  return status;
}

describe("the origin check (issue 7, finding 12)", () => {
  const site = "https://liaison.example";

  it("with PUBLIC_URL, lets in only its own scheme, host and port", () => {
    expect(answer(site, { origin: "https://liaison.example", host: "liaison.example" })).toBe("next");
    expect(answer(site, { origin: "https://liaison.example:443", host: "liaison.example" })).toBe("next");
    expect(answer(site, { origin: "http://liaison.example", host: "liaison.example" })).toBe(403);
    expect(answer(site, { origin: "https://liaison.example:8443", host: "liaison.example" })).toBe(403);
    expect(answer(site, { origin: "https://evil.example", host: "liaison.example" })).toBe(403);
    expect(answer(site, { origin: "null", host: "liaison.example" })).toBe(403);
  });

  it("without PUBLIC_URL, compares with the request's host", () => {
    expect(answer(undefined, { origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000" })).toBe("next");
    expect(answer(undefined, { origin: "http://127.0.0.1:3001", host: "127.0.0.1:3000" })).toBe(403);
  });

  it("refuses what the browser says is cross-site, and a cookie-carrying POST that names no origin", () => {
    expect(answer(site, { "sec-fetch-site": "cross-site", origin: site, host: "liaison.example" })).toBe(403);
    expect(answer(site, { cookie: "liaison_session=x", host: "liaison.example" })).toBe(403);
  });
});
