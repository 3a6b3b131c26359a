/**
 * `npm run bench -- <name> [args]` runs tests/bench/<name>.ts. A benchmark module exports
 * `run(args: string[]): Promise<Record<string, unknown>>`, writes whatever it likes to stdout while it runs, and
 * returns its figures; they are printed as JSON on the last line, for CI and scripts to pick up.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

type Benchmark = { run(args: string[]): Promise<Record<string, unknown>> };

const here = path.dirname(fileURLToPath(import.meta.url));
const available = fs
  .readdirSync(here)
  .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts") && !["run.ts", "support.ts", "bare-server.ts"].includes(file))
  .map((file) => file.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name>\navailable: ${available.join(", ")}\n`);
  process.exit(2);
}

try {
  const benchmark = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as Benchmark;
  const figures = await benchmark.run(args);
  process.stdout.write(`${JSON.stringify({ benchmark: name, ...figures })}\n`);
  process.exit(0);
} catch (error) {
  process.stderr.write(`benchmark ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
