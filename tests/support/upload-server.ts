/**
 * A server process with one route that takes a file through `readUpload`, behind the real transport bound
 * (`limitRequestBodies`, `countedBody`), for tests that watch it from outside: its memory, what it leaves on disk.
 * `POST /upload?max=BYTES` answers the stored file's size and SHA-256, read back from the store, then discards it;
 * `GET /healthz` answers 200. Started by `spawnServer({ entry: "tests/support/upload-server.ts" })`.
 */
import crypto from "node:crypto";
import { createReadableStreamFromReadable } from "@react-router/node";
import express, { type Request, type Response } from "express";
import { config } from "#app/.server/config.ts";
import { closeWithoutReading, countedBody, limitRequestBodies } from "#app/.server/http/body-limit.ts";
import { toHeaders } from "#app/.server/http/react-router-handler.ts";
import { readUpload } from "#app/.server/http/uploads.ts";
import { fileStorage } from "#app/.server/storage/file-storage.ts";

const cfg = config();
const app = express();

app.get("/healthz", (_req, res) => {
  res.send("ok");
});

app.post("/upload", limitRequestBodies(cfg.limits), (req, res) => {
  void upload(req, res);
});

async function upload(req: Request, res: Response): Promise<void> {
  const body = countedBody(req, res.locals.bodyLimit as number, () => {});
  const request = new globalThis.Request(`http://127.0.0.1${req.originalUrl}`, {
    method: "POST",
    headers: toHeaders(req.headers),
    body: createReadableStreamFromReadable(body),
    duplex: "half",
  } as RequestInit);
  try {
    const uploaded = await readUpload(request, { maxBytes: Number(req.query.max), accept: ["application/octet-stream"], keyPrefix: "test/" });
    const files = [];
    for (const file of uploaded.files) {
      const stored = await fileStorage().get(file.key);
      const hash = crypto.createHash("sha256");
      for await (const chunk of stored!.stream()) hash.update(chunk);
      files.push({ ...file, sha256: hash.digest("hex") });
    }
    await uploaded.discard();
    res.json({ files });
  } catch (error) {
    // As the real handler does when it answers before the whole body arrived.
    if (!req.complete) closeWithoutReading(req, res);
    if (error instanceof globalThis.Response) res.status(error.status).type("text/plain").send(await error.text());
    else res.status(500).type("text/plain").send(String(error));
  }
}


const server = app.listen(cfg.port, cfg.host);
process.once("SIGTERM", () => server.close(() => process.exit(0)));
