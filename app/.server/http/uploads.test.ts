import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { config, installConfig } from "../config.ts";
import { InvalidError, TooLargeError } from "../errors.ts";
import { fileStorage } from "../storage/file-storage.ts";
import { readFormData } from "./forms.ts";
import { readUpload } from "./uploads.ts";

const MB = 1024 * 1024;
const BOUNDARY = "----upload-test";
const original = config();
let uploadDir: string;

beforeEach(() => {
  uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), "liaison-uploads-test-"));
  installConfig({ ...original, uploads: { dir: uploadDir } });
});

afterEach(() => {
  installConfig(original);
  fs.rmSync(uploadDir, { recursive: true, force: true });
});

type Part = { name: string; value: string } | { name: string; filename: string; type: string; size: number };

/**
 * A multipart request whose file contents are generated as they are pulled (never allocated whole); `pulled()` says
 * how many bytes the reader took.
 */
function multipartRequest(parts: Part[], options: { declareLength?: number } = {}) {
  const enc = new TextEncoder();
  const fill = new Uint8Array(64 * 1024).fill(120);
  let pulled = 0;
  function* chunks(): Generator<Uint8Array> {
    for (const part of parts) {
      if ("value" in part) {
        yield enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`);
      } else {
        yield enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: ${part.type}\r\n\r\n`);
        for (let left = part.size; left > 0; left -= fill.length) yield fill.subarray(0, Math.min(fill.length, left));
        yield enc.encode("\r\n");
      }
    }
    yield enc.encode(`--${BOUNDARY}--\r\n`);
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
    // The first file was stored before the second went over; it is gone too.
    expect(storedFiles()).toEqual([]);
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
  });

  it("refuses a file of a kind the route does not take, on its field", async () => {
    const { request } = multipartRequest([{ name: "file", filename: "run-me.exe", type: "application/octet-stream", size: 1024 }]);
    const error = await readUpload(request, SLIDES).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as InvalidError).fieldErrors).toEqual({ file: ["Choose a file of one of these kinds: application/pdf, .pptx."] });
    expect(storedFiles()).toEqual([]);
  });

  it("takes an extension when the browser sends no useful type", async () => {
    const { request } = multipartRequest([{ name: "file", filename: "deck.PPTX", type: "application/octet-stream", size: 2048 }]);
    const upload = await readUpload(request, SLIDES);
    expect(upload.files.map((file) => file.name)).toEqual(["deck.PPTX"]);
    await upload.discard();
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
