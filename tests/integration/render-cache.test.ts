import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { getDb, observeQueries } from "#db/client.ts";
import { contentPages, contentVersion } from "#db/schema/content.ts";
import { syncContentPages } from "#app/.server/content/pages.ts";
import { createUser, createUserSession } from "#tests/factories/accounts.ts";
import { startTestApp, type TestApp } from "#tests/support/app.ts";

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.close();
  // Other files start from the shipped pages.
  await syncContentPages(path.resolve("content/pages"));
});

afterEach(() => {
  vi.useRealTimers();
});

function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((match) => match[1] ?? "");
}

function sha256(text: string): string {
  return `'sha256-${crypto.createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

function scriptSrc(csp: string | null): string[] {
  const directive = (csp ?? "").split(";").find((part) => part.trim().startsWith("script-src"));
  return directive ? directive.trim().split(/\s+/).slice(1) : [];
}

/** A copy of the shipped pages with one page's body replaced, as an editor's change would arrive. */
function editedPages(slug: string, newBody: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-pages-"));
  for (const file of fs.readdirSync(path.resolve("content/pages"))) {
    fs.copyFileSync(path.resolve("content/pages", file), path.join(dir, file));
  }
  const file = path.join(dir, `${slug}.md`);
  const source = fs.readFileSync(file, "utf8");
  const end = source.indexOf("\n---", 4);
  fs.writeFileSync(file, `${source.slice(0, end + 4)}\n\n${newBody}\n`);
  return dir;
}

describe("anonymous pages from the render cache", () => {
  test("are the same bytes each time, with an ETag that answers 304", async () => {
    const client = app.client();
    const first = await client.get("/pages/about");
    const second = await client.get("/pages/about");
    expect(first.status).toBe(200);
    expect(second.text).toBe(first.text);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(second.headers.get("etag")).toBe(etag);
    expect(first.headers.get("cache-control")).toBe("no-cache");
    expect(first.headers.get("vary")).toBe("Accept-Encoding, Cookie");

    const revalidated = await client.get("/pages/about", { "If-None-Match": etag! });
    expect(revalidated.status).toBe(304);
    expect(revalidated.text).toBe("");
  });

  test("allow exactly their own inline scripts by hash, carry no nonce, and keep the other hardening headers", async () => {
    const res = await app.client().get("/");
    expect(res.status).toBe(200);
    const scripts = inlineScripts(res.text);
    expect(scripts.length).toBeGreaterThan(0);
    const allowed = scriptSrc(res.headers.get("content-security-policy"));
    expect(allowed).toEqual(["'self'", ...new Set(scripts.map(sha256))]);
    expect(res.text).not.toContain("nonce=");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  test("cost no database query on a hit", async () => {
    const client = app.client();
    await client.get("/");
    const statements: string[] = [];
    const stop = observeQueries((query) => statements.push(query));
    try {
      const res = await client.get("/");
      expect(res.status).toBe(200);
    } finally {
      stop();
    }
    // The content version is re-read at most once a second; a hit within that second sends nothing.
    expect(statements.filter((query) => !/content_version/.test(query))).toEqual([]);
  });

  test("are compressed with the encoding the browser accepts", async () => {
    for (const [accept, expected] of [
      ["br, gzip", "br"],
      ["gzip", "gzip"],
      ["identity", null],
      ["br;q=0, gzip", "gzip"],
    ] as const) {
      const res = await fetch(`${app.url}/`, { headers: { "Accept-Encoding": accept } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-encoding")).toBe(expected);
      expect(await res.text()).toContain("Liaison");
    }
  });

  test("are never served to a signed-in viewer, whose page is private and carries a nonce", async () => {
    const user = await createUser({ name: "Casey Cached" });
    const client = app.client();
    client.cookies.set("liaison_session", (await createUserSession(user.id)).token);
    const res = await client.get("/");
    expect(res.status).toBe(200);
    expect(res.text).toContain("Casey Cached");
    expect(res.headers.get("etag")).toBeNull();
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(scriptSrc(res.headers.get("content-security-policy")).some((source) => source.startsWith("'nonce-"))).toBe(true);

    const anonymous = await app.client().get("/");
    expect(anonymous.text).not.toContain("Casey Cached");
  });

  test("serve a burst of first requests with one render and identical bytes", async () => {
    const renders: string[] = [];
    const stop = observeQueries((query) => {
      if (/from "content_pages"/.test(query) && /"slug" = /.test(query)) renders.push(query);
    });
    let bodies: string[];
    try {
      await syncContentPages(path.resolve("content/pages"));
      bodies = await Promise.all(Array.from({ length: 40 }, () => fetch(`${app.url}/pages/venue`).then((res) => res.text())));
    } finally {
      stop();
    }
    expect(new Set(bodies).size).toBe(1);
    expect(renders.length).toBe(1);
  });

  test("pages that are not opted in are rendered per request", async () => {
    const client = app.client();
    const first = await client.get("/login");
    expect(first.status).toBe(200);
    expect(first.headers.get("etag")).toBeNull();
    expect(scriptSrc(first.headers.get("content-security-policy")).some((source) => source.startsWith("'nonce-"))).toBe(true);
  });
});

describe("invalidation", () => {
  test("a page edited through the content pipeline is new on the next request, with a new ETag", async () => {
    const client = app.client();
    const before = await client.get("/pages/about");
    expect(before.text).not.toContain("Edited in the pipeline");

    await syncContentPages(editedPages("about", "Edited in the pipeline, first edition."));
    const after = await client.get("/pages/about");
    expect(after.status).toBe(200);
    expect(after.text).toContain("Edited in the pipeline, first edition.");
    expect(after.headers.get("etag")).not.toBe(before.headers.get("etag"));
  });

  test("a change committed by another instance is served within a second", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-30T08:00:00Z"));
    const client = app.client();
    const before = await client.get("/pages/venue");
    expect(before.status).toBe(200);

    // What another instance's commit looks like from here: the rows and the version change together.
    await getDb().transaction(async (tx) => {
      await tx
        .update(contentPages)
        .set({ html: sql`${contentPages.html} || '<p>Changed by another instance.</p>'` })
        .where(eq(contentPages.slug, "venue"));
      await tx.update(contentVersion).set({ version: sql`${contentVersion.version} + 1` });
    });

    vi.setSystemTime(new Date("2026-11-30T08:00:00.500Z"));
    const within = await client.get("/pages/venue");
    expect(within.text).toBe(before.text);

    vi.setSystemTime(new Date("2026-11-30T08:00:01.001Z"));
    const after = await client.get("/pages/venue");
    expect(after.text).toContain("Changed by another instance.");
  });
});
