import { pino, type DestinationStream, type Logger } from "pino";
import { config } from "./config.ts";

const LOGGER = Symbol.for("liaison.logger");
type GlobalWithLogger = typeof globalThis & { [LOGGER]?: Logger };

/** The one structured logger: JSON lines on stdout in production, short lines for a person on demo and development sites. */
export function logger(): Logger {
  const g = globalThis as GlobalWithLogger;
  if (!g[LOGGER]) {
    const cfg = config();
    const options = { level: cfg.logLevel, base: { app: "liaison" } };
    g[LOGGER] = cfg.logFormat === "pretty" ? pino(options, prettyDestination(process.stdout)) : pino(options);
  }
  return g[LOGGER];
}

const LEVELS: Record<number, string> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
const QUIET_FIELDS = new Set(["level", "time", "pid", "hostname", "app", "msg", "err", "reqId", "requestId"]);

type Entry = Record<string, unknown> & { level?: number; time?: number; msg?: string; err?: { message?: string; stack?: string } };

/** One JSON entry as one short line: time, level (unless info), message and the remaining fields as key=value. */
export function formatPretty(entry: Entry): string {
  const time = new Date(entry.time ?? Date.now()).toISOString().slice(11, 19);
  const level = LEVELS[entry.level ?? 30] ?? "info";
  const tag = level === "info" ? "" : `${level.toUpperCase()} `;
  if (entry.msg === "request" && typeof entry.method === "string") {
    return `${time} ${tag}${entry.method} ${String(entry.path)} ${String(entry.status)} ${String(entry.ms)} ms`;
  }
  const fields = Object.entries(entry)
    .filter(([key]) => !QUIET_FIELDS.has(key))
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  const error = entry.err ? `\n${entry.err.stack ?? entry.err.message ?? ""}` : "";
  return `${time} ${tag}${entry.msg ?? ""}${fields.length > 0 ? ` ${fields.join(" ")}` : ""}${error}`;
}

function prettyDestination(out: NodeJS.WritableStream): DestinationStream {
  return {
    write(line: string) {
      out.write(`${formatPretty(JSON.parse(line) as Entry)}\n`);
    },
  };
}
