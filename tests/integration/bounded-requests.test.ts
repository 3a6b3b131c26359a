/**
 * No request body is read without a limit, checked against the real server process: a 300 MB body to a form route,
 * with a declared length and chunked, as a form and as multipart, gets 413 at once, the server reads next to none of
 * it and its memory does not grow. On the embedded database, or on the Postgres server with TEST_DATABASE_URL.
 */
import crypto from "node:crypto";
import type http from "node:http";
import { Readable } from "node:stream";
import { afterAll, beforeAll, expect, test } from "vitest";
import { config } from "#app/.server/config.ts";
import { postStream } from "#tests/support/stream-post.ts";
import { residentBytes, spawnServer, waitForHealthy, type ServerProcess } from "#tests/support/server-process.ts";

const MB = 1024 * 1024;
const BODY_BYTES = 300 * MB;
let server: ServerProcess;

beforeAll(async () => {
  const cfg = config();
  server = await spawnServer({
    env: { LOG_LEVEL: "warn", LIAISON_SECRET: crypto.randomBytes(32).toString("base64") },
    // On the server, the child uses this file's fresh database (already migrated by the test setup).
    ...(cfg.database.kind === "postgres" ? { databaseUrl: cfg.database.url } : {}),
  });
  await waitForHealthy(server, 90_000);
}, 120_000);

afterAll(async () => {
  await server?.stop(5_000);
});

type Sent = { status: number; headers: http.IncomingHttpHeaders; text: string; bytesSent: number };

/**
 * POSTs a generated body of `total` bytes (never held in memory: 64 KiB chunks made on demand) and resolves with the
 * answer and how much of the body the client got to send before the server closed the connection.
 */
function postGenerated(
  path: string,
  options: { total: number; contentType: string; chunked: boolean; prefix?: string; accept?: string },
): Promise<Sent> {
  const chunk = Buffer.alloc(64 * 1024, "x");
  let bytesSent = 0;
  const body = Readable.from(
    (function* () {
      if (options.prefix) {
        bytesSent += options.prefix.length;
        yield Buffer.from(options.prefix);
      }
      while (bytesSent < options.total) {
        const piece = chunk.subarray(0, Math.min(chunk.length, options.total - bytesSent));
        bytesSent += piece.length;
        yield piece;
      }
    })(),
  );
  const headers: http.OutgoingHttpHeaders = {
    "Content-Type": options.contentType,
    Accept: options.accept ?? "text/html",
    Origin: server.url,
    "Sec-Fetch-Site": "same-origin",
  };
  if (!options.chunked) headers["Content-Length"] = String(options.total);
  return postStream(`${server.url}${path}`, headers, body).then((answer) => ({ ...answer, bytesSent }));
}

/** A few requests of each kind first, so that what is measured afterwards is the bodies, not the first use of a route. */
async function warmUp(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await postGenerated("/login", { total: 200 * 1024, contentType: "application/x-www-form-urlencoded", chunked: true, prefix: "email=" });
    await postGenerated("/login", { total: 200 * 1024, contentType: "application/x-www-form-urlencoded", chunked: false, prefix: "email=" });
  }
}

const BOUNDARY = "----liaison-boundary";
const MULTIPART_PREFIX = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="email"\r\n\r\n`;

test("300 MB bodies to a form route get 413 at once, are not read, and the server's memory grows by less than 16 MB", { timeout: 240_000 }, async () => {
  await warmUp();
  const before = residentBytes(server);
  expect(before).toBeGreaterThan(0);

  const declared = await postGenerated("/login", { total: BODY_BYTES, contentType: "application/x-www-form-urlencoded", chunked: false, prefix: "email=" });
  expect(declared.status).toBe(413);
  expect(declared.headers.connection).toBe("close");
  expect(declared.headers["content-type"]).toMatch(/^text\/html/);
  expect(declared.text).toContain("larger than the 64 KB this form accepts");

  const chunked = await postGenerated("/login", { total: BODY_BYTES, contentType: "application/x-www-form-urlencoded", chunked: true, prefix: "email=" });
  expect(chunked.status).toBe(413);
  expect(chunked.headers.connection).toBe("close");
  expect(chunked.text).toContain("larger than the 64 KB this form accepts");

  const multipart = await postGenerated("/login", {
    total: BODY_BYTES,
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    chunked: true,
    prefix: MULTIPART_PREFIX,
  });
  expect(multipart.status).toBe(413);
  expect(multipart.headers.connection).toBe("close");
  expect(multipart.text).toContain("larger than the 64 KB this form accepts");

  const grown = residentBytes(server) - before;
  expect(grown).toBeLessThan(16 * MB);
  // Only what the sockets' buffers held when the server stopped reading got out of the client.
  for (const sent of [declared, chunked, multipart]) expect(sent.bytesSent).toBeLessThan(32 * MB);

  // The server is still well and serves the next request.
  const health = await fetch(`${server.url}/healthz`);
  expect(health.status).toBe(200);
});

test("a multipart body over the largest upload limit is refused by its declared length, as text for a client that is not a browser", { timeout: 60_000 }, async () => {
  const sent = await postGenerated("/login", {
    total: BODY_BYTES,
    contentType: `multipart/form-data; boundary=${BOUNDARY}`,
    chunked: false,
    prefix: MULTIPART_PREFIX,
    accept: "application/json",
  });
  expect(sent.status).toBe(413);
  expect(sent.headers["content-type"]).toMatch(/^text\/plain/);
  expect(sent.text).toBe("What you sent is larger than the 100 MB this form accepts. Shorten it and send it again.");
  expect(sent.bytesSent).toBeLessThan(32 * MB);
});
