/**
 * The baseline for `shell`: a bare node:http server that answers fixed bytes per path, and nothing else.
 * argv[2] is a JSON file of { "<path>": { "contentType": "...", "body": "<base64>" } }; prints "listening <port>".
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";

type Fixture = { contentType: string; body: string };

const fixtures = JSON.parse(fs.readFileSync(process.argv[2]!, "utf8")) as Record<string, Fixture>;
const responses = new Map(Object.entries(fixtures).map(([pathname, f]) => [pathname, { type: f.contentType, body: Buffer.from(f.body, "base64") }]));

const server = http.createServer((req, res) => {
  const found = responses.get(req.url ?? "");
  if (!found) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "Content-Type": found.type }).end(found.body);
});

server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
