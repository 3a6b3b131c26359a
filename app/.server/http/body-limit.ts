import type { IncomingMessage } from "node:http";
import { Transform, type TransformCallback } from "node:stream";
import type { NextFunction, Request, Response } from "express";

/**
 * The transport's bound on every request body, the one place all bodies pass: a body that is not multipart is a form
 * (or nothing we read) and gets the forms' limit; a multipart body may carry files and gets the largest limit any upload
 * route has. Routes then read with a limit of their own (`readFormData`, `readUpload`), which is never larger.
 */
export type BodyLimits = { formBytes: number; uploadBytes: number };

export function isMultipart(contentType: string | null | undefined): boolean {
  return /^multipart\/form-data\b/i.test(contentType ?? "");
}

/** The bytes of `size`, as people read a limit: "64 KB", "20 MB". */
export function describeBytes(size: number): string {
  if (size >= 1024 * 1024) return `${Math.floor((size / (1024 * 1024)) * 10) / 10} MB`;
  return `${Math.floor(size / 1024)} KB`;
}

export function tooLargeMessage(limit: number): string {
  return `What you sent is larger than the ${describeBytes(limit)} this form accepts. Shorten it and send it again.`;
}

const BODY_TOO_LARGE = "LIAISON_BODY_TOO_LARGE";

/**
 * Thrown into a body stream that went over its limit; the reader turns it into a 413. Recognised by its code, not its
 * class: the server entry and the React Router build each load their own copy of this module.
 */
export class BodyTooLargeError extends Error {
  readonly code = BODY_TOO_LARGE;
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

export function isBodyTooLarge(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === BODY_TOO_LARGE;
}

/**
 * Answers 413 and closes the connection after the answer, so that the rest of the body is never read: a page for a
 * browser, the message as text for anything else.
 */
export function refuseTooLarge(req: Request, res: Response, limit: number): void {
  const message = tooLargeMessage(limit);
  res.status(413).set("Cache-Control", "no-store");
  closeWithoutReading(req, res);
  if (req.accepts(["html", "text"]) === "html") {
    res.type("html").send(tooLargePage(message));
  } else {
    res.type("text/plain").send(message);
  }
}

/** How long a refused client gets to read the answer before the connection goes. */
const LINGER_MS = 2_000;

/**
 * For an answer sent before the whole body arrived: `Connection: close`, and once the answer is out the connection is
 * held, not read, for a moment, then dropped. Node would instead read the rest of the body to discard it, or close at
 * once, which resets the connection with unread bytes in it and can wipe the answer before the client has read it.
 */
export function closeWithoutReading(req: IncomingMessage, res: Response): void {
  res.setHeader("Connection", "close");
  res.once("finish", () => {
    const socket = req.socket;
    // Node's own handler ran first: it resumed the request to drain it and set the socket to close when written.
    req.pause();
    socket.removeListener("finish", socket.destroy);
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  });
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** A page of its own: the request is refused before React Router sees it, so it needs nothing from the app. */
function tooLargePage(message: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Too large · Liaison</title></head>
<body><main><h1>Too large</h1><p>${escapeHtml(message)}</p><p>Use your browser&rsquo;s Back button to return to the form, or go to <a href="/">the home page</a>.</p></main></body></html>`;
}

/** Express middleware: refuses a body whose declared length is over its limit before a byte of it is read. */
export function limitRequestBodies(limits: BodyLimits) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method === "GET" || req.method === "HEAD") return next();
    const limit = isMultipart(req.get("content-type")) ? limits.uploadBytes : limits.formBytes;
    const declared = Number(req.get("content-length") ?? 0);
    if (declared > limit) return refuseTooLarge(req, res, limit);
    res.locals.bodyLimit = limit;
    next();
  };
}

/**
 * The request's body as a stream that fails once more than `limit` bytes arrived (a chunked body has no length to
 * check up front). On the first byte over, the request is unpiped and paused: nothing more is read from the socket.
 */
export function countedBody(req: IncomingMessage, limit: number, onExceeded: () => void): Transform {
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      received += chunk.length;
      if (received <= limit) return callback(null, chunk);
      req.unpipe(counter);
      req.pause();
      onExceeded();
      callback(new BodyTooLargeError(limit));
    },
  });
  // The reader learns of the error through its stream; when it has stopped reading already, nobody needs to.
  counter.on("error", () => {});
  // A client that goes away mid-body fails the read instead of leaving it waiting.
  req.once("aborted", () => counter.destroy(new Error("The client closed the connection.")));
  req.pipe(counter);
  return counter;
}
