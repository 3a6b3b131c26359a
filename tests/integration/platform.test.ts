import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createUser, FACTORY_PASSWORD } from "#tests/factories/accounts.ts";
import { startTestApp, type TestApp } from "#tests/support/app.ts";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.close();
});

function cspDirectives(header: string | null): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (header ?? "").split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name, values);
  }
  return directives;
}

describe("security headers", () => {
  // Pages rendered per request; pages from the render cache allow their scripts by hash (render-cache.test.ts).
  test("a page carries a nonce-based CSP and the other hardening headers", async () => {
    const res = await app.client().get("/login");
    expect(res.status).toBe(200);
    const csp = cspDirectives(res.headers.get("content-security-policy"));
    const scriptSrc = csp.get("script-src") ?? [];
    expect(scriptSrc.some((source) => /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(source))).toBe(true);
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });

  test("every script on the page carries the nonce of its CSP, and the nonce changes per response", async () => {
    const client = app.client();
    const first = await client.get("/login");
    const nonce = /'nonce-([^']+)'/.exec(first.headers.get("content-security-policy") ?? "")?.[1];
    expect(nonce).toBeTruthy();
    const scripts = [...first.text.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);

    const second = await client.get("/login");
    const again = /'nonce-([^']+)'/.exec(second.headers.get("content-security-policy") ?? "")?.[1];
    expect(again).toBeTruthy();
    expect(again).not.toBe(nonce);
  });
});

test("GET /healthz answers ok", async () => {
  const res = await app.client().get("/healthz");
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(JSON.parse(res.text)).toMatchObject({ status: "ok" });
});

test("an unknown address renders the 404 page without internals", async () => {
  const res = await app.client().get("/no/such/page-here");
  expect(res.status).toBe(404);
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  expect(res.text).toContain("Page not found");
  expect(res.text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(res.text).not.toContain("node_modules");
});

describe("request hygiene", () => {
  test("a POST from another site is refused with 403", async () => {
    const res = await app.client().post("/login", { email: "a@agency.example", password: "whatever" }, { crossSite: true });
    expect(res.status).toBe(403);
  });

  test("a POST whose Origin is another site is refused even without Sec-Fetch-Site", async () => {
    const res = await app.client().request("/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://evil.example" },
      body: "email=a%40agency.example&password=whatever",
    });
    expect(res.status).toBe(403);
  });

  test("a POST carrying cookies but neither Origin nor Sec-Fetch-Site is refused", async () => {
    const res = await fetch(new URL("/logout", app.url), {
      method: "POST",
      headers: { Cookie: "liaison_session=abcdefghijklmnopqrstuvwxyz234567", "Content-Type": "application/x-www-form-urlencoded" },
      body: "",
      redirect: "manual",
    });
    expect(res.status).toBe(403);
  });

  test("a malformed multipart body is a 400, not a 500", async () => {
    const res = await app.client().request("/login", {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=----bogus-boundary" },
      body: "this is not multipart at all\r\n--nothing-here--",
    });
    expect(res.status).toBe(400);
  });
});

describe("static assets and compression", () => {
  test("hashed assets are served as immutable", async () => {
    const client = app.client();
    const page = await client.get("/");
    const asset = /href="(\/assets\/[^"]+\.css)"/.exec(page.text)?.[1];
    expect(asset).toBeTruthy();
    const res = await client.get(asset!);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect(res.headers.get("content-type")).toMatch(/^text\/css/);
  });

  test("the home page is gzip-compressed when the client asks for it", async () => {
    const res = await fetch(`${app.url}/`, { headers: { "Accept-Encoding": "gzip" } });
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("vary")).toMatch(/accept-encoding/i);
  });
});

describe("the test client", () => {
  test("keeps the session cookie from sign-in and drops it on sign-out", async () => {
    const user = await createUser();
    const client = app.client();
    const signIn = await client.post("/login", { email: user.email, password: FACTORY_PASSWORD, redirectTo: "" });
    expect([302, 303]).toContain(signIn.status);
    expect(client.cookies.get("liaison_session")).toMatch(/^[a-z2-7]{32}$/);

    const signOut = await client.post("/logout", {});
    expect([302, 303]).toContain(signOut.status);
    expect(signOut.location).toBe("/");
    expect(client.cookies.has("liaison_session")).toBe(false);
  });
});
