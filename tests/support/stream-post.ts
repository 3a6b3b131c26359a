import http from "node:http";
import type { Readable } from "node:stream";

export type StreamAnswer = { status: number; headers: http.IncomingHttpHeaders; text: string };

/**
 * POSTs `body` as it is produced and resolves with the answer. A server that refuses a body stops reading it and closes
 * while the client is still sending: the broken pipe that follows is expected once the answer is in, and only then.
 */
export function postStream(url: string, headers: http.OutgoingHttpHeaders, body: Readable): Promise<StreamAnswer> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(url, { method: "POST", headers, agent: false });
    req.on("response", (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8").on("data", (piece: string) => (text += piece));
      res.on("end", () => {
        body.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
      });
      res.on("error", reject);
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (!answered || (error.code !== "EPIPE" && error.code !== "ECONNRESET")) reject(error);
    });
    body.pipe(req);
  });
}
