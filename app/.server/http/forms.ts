import {
  MaxFileSizeExceededError,
  MaxFilesExceededError,
  MaxHeaderSizeExceededError,
  MaxPartsExceededError,
  MaxTotalSizeExceededError,
  parseFormData,
} from "@remix-run/form-data-parser";
import { data } from "react-router";
import type { z } from "zod";
import { config } from "../config.ts";
import { TooLargeError } from "../errors.ts";
import { BodyTooLargeError, isBodyTooLarge, tooLargeMessage } from "./body-limit.ts";

export type FieldErrors = Partial<Record<string, string[]>>;

export type FormResult<T> = { ok: true; data: T; formData: FormData } | { ok: false; errors: FieldErrors };

/**
 * Reads a urlencoded or multipart form of at most `maxBytes` (FORM_MAX_BYTES, 64 KiB, unless the route says
 * otherwise): past it, a 413 with a message, and nothing more of the body is read. Files in it are not kept (a form
 * with files goes through `readUpload`). A body that cannot be parsed is the client's fault: 400.
 */
export async function readFormData(request: Request, { maxBytes = config().limits.formBytes }: { maxBytes?: number } = {}): Promise<FormData> {
  const bounded = boundedRequest(request, maxBytes);
  try {
    return await parseFormData(bounded.request, { maxFileSize: maxBytes, maxTotalSize: maxBytes }, () => null);
  } catch (error) {
    if (bounded.exceeded() || isParserLimitError(error)) throw new TooLargeError(tooLargeMessage(maxBytes));
    throw new Response("The form could not be read.", { status: 400 });
  }
}

/**
 * The request with a body that fails past `maxBytes`; a declared length over it fails before a byte is read. The
 * transport has its own, larger bound (http/body-limit.ts): this one is the route's.
 */
export function boundedRequest(request: Request, maxBytes: number): { request: Request; exceeded(): boolean } {
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) throw new TooLargeError(tooLargeMessage(maxBytes));
  let received = 0;
  let over = false;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      received += chunk.byteLength;
      if (received > maxBytes) {
        over = true;
        controller.error(new BodyTooLargeError(maxBytes));
      } else {
        controller.enqueue(chunk);
      }
    },
  });
  const body = request.body ? request.body.pipeThrough(counter) : null;
  const init = { method: request.method, headers: request.headers, body, duplex: "half", signal: request.signal } as RequestInit;
  return { request: new Request(request.url, init), exceeded: () => over };
}

/** The parser's own limits (header size, part and file counts, sizes) answer 413 as well. */
export function isParserLimitError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (
      isBodyTooLarge(e) ||
      e instanceof MaxFileSizeExceededError ||
      e instanceof MaxFilesExceededError ||
      e instanceof MaxHeaderSizeExceededError ||
      e instanceof MaxPartsExceededError ||
      e instanceof MaxTotalSizeExceededError
    ) {
      return true;
    }
  }
  return false;
}

/** Parses a form with its zod schema; every problem is reported against the field it belongs to. */
export async function parseForm<S extends z.ZodType>(request: Request, schema: S): Promise<FormResult<z.output<S>>> {
  const formData = await readFormData(request);
  const values: Record<string, string | string[]> = {};
  for (const [key, value] of formData) {
    if (typeof value !== "string") continue;
    const existing = values[key];
    values[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data, formData };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : "form";
    (errors[field] ??= []).push(issue.message);
  }
  return { ok: false, errors };
}

/** The answer to a form that did not validate: 400, with messages per field for the page to show. */
export function invalidForm(errors: FieldErrors) {
  return data({ ok: false as const, errors }, { status: 400 });
}

export function formError(message: string, status = 400) {
  return data({ ok: false as const, errors: { form: [message] } as FieldErrors }, { status });
}
