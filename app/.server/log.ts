import { pino, type Logger } from "pino";
import { config } from "./config.ts";

const LOGGER = Symbol.for("liaison.logger");
type GlobalWithLogger = typeof globalThis & { [LOGGER]?: Logger };

/** The one structured logger (JSON lines on stdout). */
export function logger(): Logger {
  const g = globalThis as GlobalWithLogger;
  g[LOGGER] ??= pino({ level: config().logLevel, base: { app: "liaison" } });
  return g[LOGGER];
}
