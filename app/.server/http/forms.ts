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
import { DomainError, InvalidError, TooLargeError } from "../errors.ts";
import { BodyTooLargeError, isBodyTooLarge, tooLargeMessage } from "./body-limit.ts";
import { fieldErrorsOf, FORM_ID_FIELD, submittedValues, type FieldErrors, type FormReply, type SubmittedValues } from "#app/shared/form-reply.ts";

export type { FieldErrors, FormReply } from "#app/shared/form-reply.ts";

export type FormResult<T> = { ok: true; data: T; values: SubmittedValues } | { ok: false; errors: FieldErrors; values: SubmittedValues };

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
  const values = submittedValues(await readFormData(request));
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, data: result.data, values };
  return { ok: false, errors: fieldErrorsOf(result.error), values };
}

/** What a form handler returns when the submission did what it asked: a notice to announce, and any data for the page. */
export type FormSuccess<D> = { notice: string | null; data: D };

export function formSuccess(notice: string | null): FormSuccess<null>;
export function formSuccess<D>(notice: string | null, payload: D): FormSuccess<D>;
export function formSuccess<D>(notice: string | null, payload?: D): FormSuccess<D | null> {
  return { notice, data: payload ?? null };
}

/** Fields whose values never travel back to the page: a password belongs in the user's hands only. */
const SECRET_FIELD = /password|^confirm$/i;

function withoutSecrets(values: SubmittedValues): SubmittedValues {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !SECRET_FIELD.test(key)));
}

/**
 * A route's translation of a domain function's expected refusal (a wrong password, a throttled code) into the
 * form's messages, with the status that fits (401, 403, 429). Domain functions themselves throw the typed errors.
 */
export class FormRefusal extends Error {
  constructor(
    readonly errors: FieldErrors,
    readonly status = 400,
  ) {
    super("The form was refused.");
  }
}

export function refuse(errors: FieldErrors | string, status = 400): never {
  throw new FormRefusal(typeof errors === "string" ? { form: [errors] } : errors, status);
}

/** Domain failures that belong on the form (the user can fix or retry them) rather than on an error page. */
function formFailure(error: unknown): { errors: FieldErrors; status: number } | null {
  if (error instanceof FormRefusal) return { errors: error.errors, status: error.status };
  if (error instanceof InvalidError) return { errors: error.fieldErrors, status: 400 };
  if (error instanceof DomainError && (error.kind === "conflict" || error.kind === "rate_limited")) {
    return { errors: { form: [error.publicMessage] }, status: error.status };
  }
  return null;
}

function sentString(values: SubmittedValues, name: string): string | null {
  const value = values[name];
  return typeof value === "string" ? value : null;
}

function formRejection(values: SubmittedValues, errors: FieldErrors, status: number) {
  const reply: FormReply<never> = {
    status: "error",
    intent: sentString(values, "intent"),
    form: sentString(values, FORM_ID_FIELD),
    errors,
    values: withoutSecrets(values),
  };
  return data(reply, { status });
}

/**
 * The one way a route handles a form: read the body once (within the request's limit), parse it with the form's
 * zod schema and, when it is valid, call `onValid`. A form that does not validate, or whose handler throws an
 * InvalidError, ConflictError or RateLimitedError, answers with the messages per field and what was typed (less
 * passwords), so the page shows the form as the user left it. Other errors (not found, forbidden) and redirects
 * propagate to the error page or the browser. The reply names the form that was sent (its intent, and its copy when
 * a table has one per row), so the page shows the messages there.
 */
export async function handleForm<S extends z.ZodType, D>(
  request: Request,
  schema: S,
  onValid: (input: z.output<S>) => Promise<FormSuccess<D>> | FormSuccess<D>,
) {
  const form = await parseForm(request, schema);
  if (!form.ok) return formRejection(form.values, form.errors, 400);
  try {
    const success = await onValid(form.data);
    const reply: FormReply<D> = {
      status: "success",
      intent: sentString(form.values, "intent"),
      form: sentString(form.values, FORM_ID_FIELD),
      notice: success.notice,
      data: success.data,
    };
    return data(reply, { status: 200 });
  } catch (error) {
    const failure = formFailure(error);
    if (!failure) throw error;
    return formRejection(form.values, failure.errors, failure.status);
  }
}
