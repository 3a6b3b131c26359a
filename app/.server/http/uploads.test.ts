import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { config, installConfig } from "../config.ts";
import { InvalidError, TooLargeError } from "../errors.ts";
import { createFsFileStorage } from "@remix-run/file-storage/fs";
import { fileStorage, installFileStorage } from "../storage/file-storage.ts";
import { readFormData } from "./forms.ts";
import { readUpload } from "./uploads.ts";

const MB = 1024 * 1024;
const BOUNDARY = "----upload-test";
const original = config();
const originalTmpdir = process.env.TMPDIR;
let uploadDir: string;
let tempDir: string;

beforeEach(() => {
  uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-uploads-test-"));
  installConfig({ ...original, uploads: { dir: uploadDir } });
  // readUpload's temporary files go under os.tmpdir(), which reads TMPDIR: a directory of this test's own to watch.
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-uploads-tmp-"));
  process.env.TMPDIR = tempDir;
});

afterEach(() => {
  if (originalTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = originalTmpdir;
  installConfig(original);
  fs.rmSync(uploadDir, { recursive: true, force: true });
  fs.rmSync(tempDir, { recursive: true, force: true });
});

type Part = { name: string; value: string } | { name: string; filename: string; type: string; size: number };

/** A file's contents, made chunk by chunk on demand: each 64 KiB chunk filled with a byte of its own, so a misplaced chunk changes the hash. */
function* fileChunks(size: number): Generator<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024);
  for (let offset = 0, index = 0; offset < size; offset += chunk.length, index++) {
    chunk.fill((index * 31 + 7) % 256);
    yield chunk.subarray(0, Math.min(chunk.length, size - offset));
  }
}

function sha256Of(size: number): string {
  const hash = crypto.createHash("sha256");
  for (const chunk of fileChunks(size)) hash.update(chunk);
  return hash.digest("hex");
}

/**
 * A multipart request whose file contents are generated as they are pulled (never allocated whole); `pulled()` says
 * how many bytes the reader took. `truncate` ends the body before its closing boundary, as a dropped connection would.
 */
function multipartRequest(parts: Part[], options: { declareLength?: number; truncate?: boolean } = {}) {
  const enc = new TextEncoder();
  let pulled = 0;
  function* chunks(): Generator<Uint8Array> {
    for (const part of parts) {
      if ("value" in part) {
        yield enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`);
      } else {
        yield enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type}\r\n\r\n`);
        // A copy: the generator reuses its chunk, and the stream may still hold the last one.
        for (const chunk of fileChunks(part.size)) yield chunk.slice();
        yield enc.encode("\r\n");
      }
    }
    if (!options.truncate) yield enc.encode(`--${BOUNDARY}--\r\n`);
  }
  const source = chunks();
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = source.next();
      if (next.done) return controller.close();
      pulled += next.value.byteLength;
      controller.enqueue(next.value);
    },
  });
  const headers: Record<string, string> = { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` };
  if (options.declareLength !== undefined) headers["Content-Length"] = String(options.declareLength);
  const request = new Request("http://liaison.test/upload", { method: "POST", headers, body, duplex: "half" } as RequestInit);
  return { request, pulled: () => pulled };
}

/** What readUpload left in the temporary directory: nothing, once it has returned or thrown. */
function tempEntries(): string[] {
  return fs.readdirSync(tempDir, { recursive: true }).map(String);
}

function storedFiles(): string[] {
  if (!fs.existsSync(uploadDir)) return [];
  return fs.readdirSync(uploadDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
}

const SLIDES = { maxBytes: 1 * MB, accept: ["application/pdf", ".pptx"], keyPrefix: "materials/test/" };

describe("readUpload", () => {
  it("stores an accepted file under the route's prefix and returns the text fields", async () => {
    const { request } = multipartRequest([
      { name: "title", value: "Opening slides" },
      { name: "file", filename: "opening.pdf", type: "application/pdf", size: 300 * 1024 },
    ]);
    const upload = await readUpload(request, SLIDES);
    expect(upload.formData.get("title")).toBe("Opening slides");
    expect(upload.files).toHaveLength(1);
    const [file] = upload.files;
    expect(file).toMatchObject({ field: "file", name: "opening.pdf", type: "application/pdf", size: 300 * 1024 });
    expect(file!.key).toMatch(/^materials\/test\/[0-9a-f-]{36}$/);
    expect(upload.formData.get("file")).toBe(file!.key);
    const stored = await fileStorage().get(file!.key);
    expect(stored?.size).toBe(300 * 1024);
    expect(storedFiles()).toHaveLength(2); // the file and its metadata
    expect(tempEntries()).toEqual([]);

    await upload.discard();
    expect(await fileStorage().has(file!.key)).toBe(false);
    expect(storedFiles()).toHaveLength(0);
  });

  it("answers 413 for a 50 MB file over a 1 MB limit, stops reading soon after the limit and keeps no file", async () => {
    const { request, pulled } = multipartRequest([
      { name: "file", filename: "first.pdf", type: "application/pdf", size: 200 * 1024 },
      { name: "file", filename: "huge.pdf", type: "application/pdf", size: 50 * MB },
    ]);
    const error = await readUpload(request, { ...SLIDES, maxFiles: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooLargeError);
    expect((error as TooLargeError).status).toBe(413);
    expect((error as TooLargeError).publicMessage).toBe("Send at most 2 files of up to 1 MB each.");
    expect(pulled()).toBeLessThan(3 * MB);
    // Neither the first file, whole on disk before the second went over, nor the second's part is kept.
    expect(storedFiles()).toEqual([]);
    expect(tempEntries()).toEqual([]);
  });

  it("answers 413 from the declared length without reading the body", async () => {
    const { request, pulled } = multipartRequest([{ name: "file", filename: "huge.pdf", type: "application/pdf", size: 50 * MB }], {
      declareLength: 50 * MB + 200,
    });
    const error = await readUpload(request, SLIDES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooLargeError);
    expect((error as TooLargeError).publicMessage).toBe("The file is larger than the 1 MB this form accepts.");
    // Only the stream's own read-ahead of one chunk (the part's headers): none of the file.
    expect(pulled()).toBeLessThan(1024);
    expect(storedFiles()).toEqual([]);
    expect(tempEntries()).toEqual([]);
  });

  it("refuses a file of a kind the route does not take, on its field", async () => {
    const { request } = multipartRequest([{ name: "file", filename: "run-me.exe", type: "application/octet-stream", size: 1024 }]);
    const error = await readUpload(request, SLIDES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as InvalidError).fieldErrors).toEqual({ file: ["Choose a file of one of these kinds: application/pdf, .pptx."] });
    expect(storedFiles()).toEqual([]);
    expect(tempEntries()).toEqual([]);
  });

  it("takes an extension when the browser sends no useful type", async () => {
    const { request } = multipartRequest([{ name: "file", filename: "deck.PPTX", type: "application/octet-stream", size: 2048 }]);
    const upload = await readUpload(request, SLIDES);
    expect(upload.files.map((file) => file.name)).toEqual(["deck.PPTX"]);
    await upload.discard();
  });

  it("keeps each file's bytes and name as sent, several files in the order they came", async () => {
    const { request } = multipartRequest([
      { name: "file", filename: "Präsentation – Tag 1.pdf", type: "application/pdf", size: 700_001 },
      { name: "title", value: "Day one" },
      { name: "file", filename: "notes.pptx", type: "application/vnd.openxmlformats-officedocument.presentationml.presentation", size: 3 },
    ]);
    const upload = await readUpload(request, { ...SLIDES, maxFiles: 2 });
    expect(upload.files.map(({ name, size }) => ({ name, size }))).toEqual([
      { name: "Präsentation – Tag 1.pdf", size: 700_001 },
      { name: "notes.pptx", size: 3 },
    ]);
    expect([...upload.formData.entries()]).toEqual([
      ["file", upload.files[0]!.key],
      ["title", "Day one"],
      ["file", upload.files[1]!.key],
    ]);
    for (const [index, size] of [700_001, 3].entries()) {
      const stored = await fileStorage().get(upload.files[index]!.key);
      const hash = crypto.createHash("sha256");
      for await (const chunk of stored!.stream()) hash.update(chunk);
      expect(hash.digest("hex")).toBe(sha256Of(size));
    }
    expect(tempEntries()).toEqual([]);
    await upload.discard();
  });

  it("takes a file of exactly the limit, and refuses one byte more", async () => {
    const exact = multipartRequest([{ name: "file", filename: "exact.pdf", type: "application/pdf", size: 1 * MB }]);
    const upload = await readUpload(exact.request, SLIDES);
    expect(upload.files.map((file) => file.size)).toEqual([1 * MB]);
    await upload.discard();

    const over = multipartRequest([{ name: "file", filename: "over.pdf", type: "application/pdf", size: 1 * MB + 1 }]);
    await expect(readUpload(over.request, SLIDES)).rejects.toBeInstanceOf(TooLargeError);
    expect(storedFiles()).toEqual([]);
    expect(tempEntries()).toEqual([]);
  });

  it("skips a file input left empty", async () => {
    const { request } = multipartRequest([
      { name: "title", value: "No slides yet" },
      { name: "file", filename: "", type: "application/octet-stream", size: 0 },
    ]);
    const upload = await readUpload(request, SLIDES);
    expect(upload.files).toEqual([]);
    expect([...upload.formData.entries()]).toEqual([["title", "No slides yet"]]);
    expect(storedFiles()).toEqual([]);
    expect(tempEntries()).toEqual([]);
  });

  it("answers 413 for text fields over FORM_MAX_BYTES, however small the files", async () => {
    const { request } = multipartRequest([
      { name: "file", filename: "small.pdf", type: "application/pdf", size: 1024 },
      { name: "title", value: "x".repeat(config().limits.formBytes + 1) },
    ]);
    const error = await readUpload(request, SLIDES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooLargeError);
    expect(storedFiles()).toEqual([]);
    expect(tempEntries()).toEqual([]);
  });

  it("answers 413 for more files than the route takes, keeping none", async () => {
    const { request } = multipartRequest([
      { name: "file", filename: "one.pdf", type: "application/pdf", size: 1024 },
      { name: "file", filename: "two.pdf", type: "application/pdf", size: 1024 },
      { name: "file", filename: "three.pdf", type: "application/pdf", size: 1024 },
    ]);
    const error = await readUpload(request, { ...SLIDES, maxFiles: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooLargeError);
    expect((error as TooLargeError).publicMessage).toBe("Send at most 2 files of up to 1 MB each.");
    expect(storedFiles()).toEqual([]);
    expect(tempEntries()).toEqual([]);
  });

  it("refuses a file of the wrong kind after one it took, keeping neither, and reads no further", async () => {
    const { request, pulled } = multipartRequest([
      { name: "file", filename: "fine.pdf", type: "application/pdf", size: 200 * 1024 },
      { name: "other", filename: "run-me.exe", type: "application/octet-stream", size: 50 * MB },
    ]);
    const error = await readUpload(request, { ...SLIDES, maxBytes: 100 * MB, maxFiles: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as InvalidError).fieldErrors).toEqual({ other: ["Choose a file of one of these kinds: application/pdf, .pptx."] });
    expect(pulled()).toBeLessThan(2 * MB);
    expect(storedFiles()).toEqual([]);
    expect(tempEntries()).toEqual([]);
  });

  it("answers 400 for a body cut off before its end, keeping nothing", async () => {
    const { request } = multipartRequest([{ name: "file", filename: "cut.pdf", type: "application/pdf", size: 300 * 1024 }], { truncate: true });
    const error = await readUpload(request, SLIDES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Response);
    expect((error as Response).status).toBe(400);
    expect(storedFiles()).toEqual([]);
    expect(tempEntries()).toEqual([]);
  });

  it("answers 400 for a multipart body without a boundary", async () => {
    const request = new Request("http://liaison.test/upload", { method: "POST", headers: { "Content-Type": "multipart/form-data" }, body: "x" });
    const error = await readUpload(request, SLIDES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Response);
    expect((error as Response).status).toBe(400);
    expect(tempEntries()).toEqual([]);
  });

  it("removes the files it had stored when storing a later one fails", async () => {
    const disk = createFsFileStorage(uploadDir);
    let puts = 0;
    installFileStorage({
      ...disk,
      put: (key, file) => (++puts === 2 ? Promise.reject(new Error("The disk is full.")) : disk.put(key, file)),
    });
    try {
      const { request } = multipartRequest([
        { name: "file", filename: "one.pdf", type: "application/pdf", size: 100 * 1024 },
        { name: "file", filename: "two.pdf", type: "application/pdf", size: 100 * 1024 },
      ]);
      await expect(readUpload(request, { ...SLIDES, maxFiles: 2 })).rejects.toBeInstanceOf(Response);
      expect(puts).toBe(2);
      expect(storedFiles()).toEqual([]);
      expect(tempEntries()).toEqual([]);
    } finally {
      installFileStorage(undefined);
    }
  });

  it("refuses a limit above the transport's bound, which would never be reached", async () => {
    const { request } = multipartRequest([]);
    await expect(readUpload(request, { ...SLIDES, maxBytes: config().limits.uploadBytes + 1 })).rejects.toThrow(/UPLOAD_MAX_BYTES/);
  });
});

describe("readFormData", () => {
  it("reads a form within its limit and answers 413 past it without reading on", async () => {
    const small = multipartRequest([{ name: "email", value: "ada@example.org" }]);
    expect((await readFormData(small.request)).get("email")).toBe("ada@example.org");

    const big = multipartRequest([
      { name: "email", value: "ada@example.org" },
      { name: "attachment", filename: "big.bin", type: "application/octet-stream", size: 20 * MB },
    ]);
    const error = await readFormData(big.request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooLargeError);
    expect((error as TooLargeError).publicMessage).toBe("What you sent is larger than the 64 KB this form accepts. Shorten it and send it again.");
    expect(big.pulled()).toBeLessThan(256 * 1024);
  });

  it("drops the files of a small form instead of keeping them", async () => {
    const { request } = multipartRequest([
      { name: "email", value: "ada@example.org" },
      { name: "attachment", filename: "note.txt", type: "text/plain", size: 1024 },
    ]);
    const form = await readFormData(request);
    expect([...form.keys()]).toEqual(["email"]);
    expect(storedFiles()).toEqual([]);
  });
});
