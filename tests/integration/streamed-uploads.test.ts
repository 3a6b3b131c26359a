/**
 * Uploads stream to disk: a 200 MB file sent to a server process whose route takes it with `readUpload` arrives whole
 * (size and SHA-256, read back from the store) while the server's resident memory grows by far less than the file;
 * a 200 MB file over the route's limit gets 413 soon, and no temporary or stored file is left behind by either.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import { Readable } from "node:stream";
import { afterAll, beforeAll, expect, test } from "vitest";
import { postStream } from "#tests/support/stream-post.ts";
import { residentBytes, spawnServer, tempDir, waitForHealthy, type ServerProcess } from "#tests/support/server-process.ts";

const MB = 1024 * 1024;
const FILE_BYTES = 200 * MB;
const BOUNDARY = "----liaison-streamed-upload";
let server: ServerProcess;
let uploadDir: string;
let serverTmpDir: string;

beforeAll(async () => {
  uploadDir = tempDir("streamed-uploads");
  serverTmpDir = tempDir("streamed-uploads-tmp");
  server = await spawnServer({
    entry: "tests/support/upload-server.ts",
    env: { LOG_LEVEL: "warn", UPLOAD_MAX_BYTES: String(256 * MB), UPLOAD_DIR: uploadDir, TMPDIR: serverTmpDir },
  });
  await waitForHealthy(server, 60_000);
}, 90_000);

afterAll(async () => {
  await server?.stop(5_000);
  for (const dir of [uploadDir, serverTmpDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

type Sent = { status: number; text: string; bytesSent: number; sha256: string; peakResident: number };

/**
 * POSTs one file of `size` bytes as multipart, made in 64 KiB chunks as they are sent (each filled with a byte of its
 * own, so a lost or misplaced chunk changes the hash), and samples the server's resident memory while it goes.
 */
function postFile(path: string, size: number): Promise<Sent> {
  const hash = crypto.createHash("sha256");
  let bytesSent = 0;
  const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${BOUNDARY}--\r\n`;
  const body = Readable.from(
    (function* () {
      yield Buffer.from(head);
      for (let offset = 0, index = 0; offset < size; offset += 64 * 1024, index++) {
        const chunk = Buffer.alloc(Math.min(64 * 1024, size - offset), (index * 31 + 7) % 256);
        hash.update(chunk);
        bytesSent += chunk.length;
        yield chunk;
      }
      yield Buffer.from(tail);
    })(),
  );
  let peakResident = residentBytes(server);
  const sampler = setInterval(() => (peakResident = Math.max(peakResident, residentBytes(server))), 50);
  const headers = {
    "Content-Type": `multipart/form-data; boundary=${BOUNDARY}`,
    "Content-Length": String(head.length + size + tail.length),
  };
  return postStream(`${server.url}${path}`, headers, body)
    .then(({ status, text }) => ({ status, text, bytesSent, sha256: hash.digest("hex"), peakResident }))
    .finally(() => clearInterval(sampler));
}

function filesIn(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
}

/** readUpload's temporary directories (tsx keeps a cache of its own beside them). */
function uploadTempDirs(): string[] {
  return fs.readdirSync(serverTmpDir).filter((name) => name.startsWith("liaison-upload-"));
}

test("a 200 MB upload arrives whole while the server's memory grows by far less than the file", { timeout: 240_000 }, async () => {
  // The route's first uses (module loading, the store's directory) are not what is measured.
  for (let i = 0; i < 3; i++) expect((await postFile(`/upload?max=${4 * MB}`, 2 * MB)).status).toBe(200);
  const before = residentBytes(server);
  expect(before).toBeGreaterThan(0);

  const sent = await postFile(`/upload?max=${FILE_BYTES}`, FILE_BYTES);
  expect(sent.status, sent.text).toBe(200);
  const { files } = JSON.parse(sent.text) as { files: { name: string; size: number; sha256: string }[] };
  expect(files).toEqual([expect.objectContaining({ name: "big.bin", size: FILE_BYTES, sha256: sent.sha256 })]);

  const grown = sent.peakResident - before;
  expect(grown, `peak growth of the resident memory: ${(grown / MB).toFixed(1)} MB`).toBeLessThan(50 * MB);

  // The temporary file is gone; the stored one the route discarded is too.
  expect(uploadTempDirs()).toEqual([]);
  expect(filesIn(uploadDir)).toEqual([]);
});

test("a 200 MB upload over the route's limit gets 413 soon and leaves no temporary or stored file", { timeout: 120_000 }, async () => {
  const before = residentBytes(server);
  const sent = await postFile(`/upload?max=${20 * MB}`, FILE_BYTES);
  expect(sent.status).toBe(413);
  expect(sent.text).toBe("The file is larger than the 20 MB this form accepts.");
  // The limit and what the sockets' buffers held: the rest was never sent.
  expect(sent.bytesSent).toBeLessThan(20 * MB + 32 * MB);
  expect(sent.peakResident - before).toBeLessThan(50 * MB);

  expect(uploadTempDirs()).toEqual([]);
  expect(filesIn(uploadDir)).toEqual([]);
  const health = await fetch(`${server.url}/healthz`);
  expect(health.status).toBe(200);
});
