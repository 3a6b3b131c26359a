import crypto from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { openLazyFile } from "@remix-run/fs";
import busboy from "busboy";
import { config } from "../config.ts";
import { InvalidError, TooLargeError } from "../errors.ts";
import { fileStorage } from "../storage/file-storage.ts";
import { describeBytes, isMultipart } from "./body-limit.ts";
import { boundedRequest, isParserLimitError } from "./forms.ts";

export type UploadOptions = {
  /** The largest file this route takes, in bytes (at most UPLOAD_MAX_BYTES, the transport's bound). */
  maxBytes: number;
  /** Media types (`application/pdf`), families (`image/*`) or extensions (`.pptx`) the route takes; any other file is refused. */
  accept: readonly string[];
  /** How many files one request may carry (default 1). */
  maxFiles?: number;
  /** Where the files go in storage: `materials/<sessionId>/`; a random id follows. */
  keyPrefix: string;
};

export type StoredUpload = { field: string; key: string; name: string; type: string; size: number };

export type Upload = {
  /** The text fields, to parse with the form's zod schema (a file field holds its storage key). */
  formData: FormData;
  files: StoredUpload[];
  /** Removes the stored files: call it when the change that was to record them fails. */
  discard(): Promise<void>;
};

/** More text fields than any form of ours has: past it the request is refused, as over any other limit. */
const MAX_FIELDS = 1000;

/**
 * Reads a multipart form with files and puts the files in storage (`fileStorage()`); the only way a route takes files.
 * Each file goes to a temporary file as its bytes arrive and from there to the store, so a file costs disk, not memory.
 * A file over `maxBytes`, more files than allowed, text fields over FORM_MAX_BYTES or a body over its bound:
 * TooLargeError (413), nothing more of the body is read and no file of the request is kept. A file of another type:
 * InvalidError on its field (400).
 */
export async function readUpload(request: Request, options: UploadOptions): Promise<Upload> {
  const { maxBytes, accept, maxFiles = 1, keyPrefix } = options;
  const cfg = config();
  if (maxBytes > cfg.limits.uploadBytes) throw new Error(`An upload limit of ${maxBytes} bytes is over UPLOAD_MAX_BYTES.`);
  const contentType = request.headers.get("content-type");
  if (!isMultipart(contentType)) throw new Response("The form could not be read.", { status: 400 });
  const tooLarge = new TooLargeError(
    maxFiles === 1
      ? `The file is larger than the ${describeBytes(maxBytes)} this form accepts.`
      : `Send at most ${maxFiles} files of up to ${describeBytes(maxBytes)} each.`,
  );
  const bodyBytes = maxBytes * maxFiles + cfg.limits.formBytes;
  let bounded: ReturnType<typeof boundedRequest>;
  try {
    bounded = boundedRequest(request, bodyBytes);
  } catch {
    throw tooLarge;
  }

  const storage = fileStorage();
  const files: StoredUpload[] = [];
  const discard = async () => {
    await Promise.all(files.splice(0).map((file) => storage.remove(file.key)));
  };
  const tempDir = await fsp.mkdtemp(path.join(os.tmpdir(), "liaison-upload-"));
  try {
    const parts = await receive(bounded.request.body, contentType!, tempDir, {
      maxBytes,
      maxFiles,
      textBytes: cfg.limits.formBytes,
      tooLarge,
      refuse: (field, name, type) => (accepts(accept, name, type) ? null : notAccepted(field, accept)),
    });
    const formData = new FormData();
    for (const part of parts) {
      if (part.kind === "text") {
        formData.append(part.field, part.value);
        continue;
      }
      const file = openLazyFile(part.path, { name: part.name, type: part.type });
      if (part.name === "" && file.size === 0) continue; // a file input left empty
      // A file without a name was let through as it arrived, in case it was an empty input: its type decides now.
      if (!accepts(accept, part.name, part.type)) throw notAccepted(part.field, accept);
      const key = `${keyPrefix}${crypto.randomUUID()}`;
      files.push({ field: part.field, key, name: part.name, type: part.type, size: file.size });
      await storage.put(key, file);
      formData.append(part.field, key);
    }
    return { formData, files, discard };
  } catch (error) {
    await discard();
    if (error === tooLarge || bounded.exceeded() || isParserLimitError(error)) throw tooLarge;
    if (error instanceof InvalidError) throw error;
    throw new Response("The form could not be read.", { status: 400 });
  } finally {
    await fsp.rm(tempDir, { recursive: true, force: true });
  }
}

type Part = { kind: "text"; field: string; value: string } | { kind: "file"; field: string; name: string; type: string; path: string };

type ReceiveOptions = {
  maxBytes: number;
  maxFiles: number;
  textBytes: number;
  tooLarge: TooLargeError;
  /** The error that refuses a file, from its headers, before any of its bytes are read; null takes it. */
  refuse(field: string, name: string, type: string): InvalidError | null;
};

/**
 * Parses the multipart body with busboy, writing each file part to a file in `dir` as it arrives; busboy reads no
 * further while a file's bytes wait for the disk. The first limit passed, file refused or failed write stops the
 * reading (the body's stream is cancelled) and rejects with that error; the caller removes `dir`.
 */
async function receive(body: ReadableStream<Uint8Array> | null, contentType: string, dir: string, options: ReceiveOptions): Promise<Part[]> {
  if (!body) throw new Error("The request has no body.");
  const parser = busboy({
    headers: { "content-type": contentType },
    // Browsers send file names as UTF-8, not as the Latin-1 of the old RFCs.
    defParamCharset: "utf8",
    // busboy flags a part that reaches its size limit, not one that passes it: one byte more, so that the limit is allowed.
    limits: { fileSize: options.maxBytes + 1, files: options.maxFiles, fieldSize: options.textBytes + 1, fields: MAX_FIELDS },
  });
  const parts: Part[] = [];
  const writes: Promise<void>[] = [];
  let textBytes = 0;
  // The first reason to stop (our refusals are Responses, not Errors: the streams get an Error standing for them).
  // busboy goes on with the chunk at hand after an event and fails if it was destroyed meanwhile: destroy it next tick.
  let failure: { reason: unknown } | null = null;
  const fail = (reason: unknown) => {
    if (failure) return;
    failure = { reason };
    process.nextTick(() => parser.destroy(reason instanceof Error ? reason : new Error("The upload was refused.")));
  };
  // The pipeline below reports the parser's errors; this keeps one raised after it ended (a late write) from crashing.
  parser.on("error", () => {});

  parser.on("file", (field, stream, info) => {
    const name = info.filename ?? "";
    const refusal = failure ? null : name === "" ? null : options.refuse(field, name, info.mimeType);
    if (failure || refusal) {
      stream.on("error", () => {}).resume();
      if (refusal) fail(refusal);
      return;
    }
    const file = path.join(dir, String(parts.length));
    parts.push({ kind: "file", field, name, type: info.mimeType, path: file });
    stream.once("limit", () => fail(options.tooLarge));
    writes.push(pipeline(stream, fs.createWriteStream(file)).catch(fail));
  });
  parser.on("field", (field, value, info) => {
    if (failure) return;
    textBytes += Buffer.byteLength(field) + Buffer.byteLength(value);
    if (info.valueTruncated || textBytes > options.textBytes) return fail(options.tooLarge);
    parts.push({ kind: "text", field, value });
  });
  parser.on("filesLimit", () => fail(options.tooLarge));
  parser.on("fieldsLimit", () => fail(options.tooLarge));

  try {
    await pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), parser);
  } catch (error) {
    failure ??= { reason: error };
  }
  // Every temporary file is written and closed before the caller reads or removes it.
  await Promise.all(writes);
  if (failure) throw failure.reason;
  return parts;
}

function notAccepted(field: string, accept: readonly string[]): InvalidError {
  return new InvalidError({ [field]: [`Choose a file of one of these kinds: ${accept.join(", ")}.`] });
}

function accepts(accept: readonly string[], fileName: string, fileType: string): boolean {
  const type = fileType.toLowerCase();
  const name = fileName.toLowerCase();
  return accept.some((entry) => {
    const wanted = entry.toLowerCase();
    if (wanted.startsWith(".")) return name.endsWith(wanted);
    if (wanted.endsWith("/*")) return type.startsWith(wanted.slice(0, -1));
    return type === wanted;
  });
}
