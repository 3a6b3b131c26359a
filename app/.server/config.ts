import os from "node:os";
import path from "node:path";
import { z } from "zod";

const duration = z.coerce.number().int().positive();

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("0.0.0.0"),
  /** The address users reach the site at; an https URL turns on Secure cookies and HSTS. */
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().min(1).optional(),
  /** Server only: connections in this instance's pool, the longest a statement may run, the longest a query waits for a connection. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  DATABASE_STATEMENT_TIMEOUT_MS: duration.default(5_000),
  DATABASE_POOL_TIMEOUT_MS: duration.default(5_000),
  /** How long /healthz waits for the database before it answers 503. */
  HEALTHZ_TIMEOUT_MS: duration.default(1_500),
  LIAISON_DATA_DIR: z.string().default(".data"),
  /** Seeds the demo accounts and allowlist. Defaults to on for the embedded database outside production. */
  SEED_DEMO: z.enum(["0", "1"]).optional(),
  DATABASE_MIGRATE: z.enum(["0", "1"]).default("1"),
  SMTP_URL: z.string().min(1).optional(),
  MAIL_FROM: z.string().default("Liaison <no-reply@liaison.invalid>"),
  /** Where people write to the organizers (a suspended account, a refused application); shown in the footer. */
  ORGANIZERS_EMAIL: z.email().default("organizers@liaison.invalid"),
  /** 32 bytes, base64: seals TOTP keys. Required with DATABASE_URL; generated into the data directory otherwise. */
  LIAISON_SECRET: z.string().optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** `pretty`: one short line per entry, for a person at a terminal; `json`: one JSON object per line, for machines. */
  LOG_FORMAT: z.enum(["pretty", "json"]).optional(),
  /** The largest form body (urlencoded or multipart without files) any route reads. */
  FORM_MAX_BYTES: z.coerce.number().int().min(1024).default(64 * 1024),
  /** The largest multipart body with files that any route may accept; each upload route sets its own, smaller limit. */
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).default(100 * 1024 * 1024),
  /** Where uploaded files are kept (local disk). Defaults to `uploads/` in the data directory. */
  UPLOAD_DIR: z.string().min(1).optional(),
  TRUST_PROXY: z.enum(["0", "1"]).default("0"),
  /** Serve anonymous content pages from memory (0 turns it off, for comparison). */
  RENDER_CACHE: z.enum(["0", "1"]).default("1"),
  SESSION_ATTENDEE_IDLE_SECONDS: duration.default(30 * 24 * 3600),
  SESSION_ATTENDEE_ABSOLUTE_SECONDS: duration.default(365 * 24 * 3600),
  SESSION_PRIVILEGED_IDLE_SECONDS: duration.default(30 * 60),
  SESSION_PRIVILEGED_ABSOLUTE_SECONDS: duration.default(12 * 3600),
  MEMBERSHIP_DAYS: duration.default(365),
  MEMBERSHIP_REMINDER_DAYS: duration.default(30),
});

export type Config = ReturnType<typeof readConfig>;

export function readConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const embedded = e.DATABASE_URL === undefined;
  const seedDemo = e.SEED_DEMO ? e.SEED_DEMO === "1" : embedded && e.NODE_ENV !== "production";
  // A site a person tries out: mail goes to the console, logs are short lines.
  const demoOrDevelopment = e.NODE_ENV === "development" || seedDemo;
  const dataDir = e.LIAISON_DATA_DIR === "memory://" ? "memory://" : path.resolve(e.LIAISON_DATA_DIR);
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ? new URL(e.PUBLIC_URL) : undefined,
    secureCookies: e.PUBLIC_URL?.startsWith("https:") ?? false,
    database: embedded
      ? ({ kind: "pglite", dataDir } as const)
      : ({
          kind: "postgres",
          url: e.DATABASE_URL!,
          max: e.DATABASE_POOL_MAX,
          statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
          acquireTimeoutMs: e.DATABASE_POOL_TIMEOUT_MS,
        } as const),
    healthzTimeoutMs: e.HEALTHZ_TIMEOUT_MS,
    /** 0 when the site runs under a role that owns nothing (db/app-role.sql): the owner runs `npm run db:migrate`. */
    migrateOnStart: e.DATABASE_MIGRATE === "1",
    // A production build seeds only when asked: `npm start` asks, a deployment does not.
    seedDemo,
    demoOrDevelopment,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    organizersEmail: e.ORGANIZERS_EMAIL,
    secret: e.LIAISON_SECRET,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (demoOrDevelopment ? "pretty" : "json"),
    limits: { formBytes: e.FORM_MAX_BYTES, uploadBytes: Math.max(e.UPLOAD_MAX_BYTES, e.FORM_MAX_BYTES) },
    uploads: {
      dir: e.UPLOAD_DIR
        ? path.resolve(e.UPLOAD_DIR)
        : path.join(dataDir === "memory://" ? path.join(os.tmpdir(), "liaison-uploads") : dataDir, "uploads"),
    },
    trustProxy: e.TRUST_PROXY === "1",
    renderCache: e.RENDER_CACHE === "1",
    sessions: {
      attendee: { idleSeconds: e.SESSION_ATTENDEE_IDLE_SECONDS, absoluteSeconds: e.SESSION_ATTENDEE_ABSOLUTE_SECONDS },
      privileged: { idleSeconds: e.SESSION_PRIVILEGED_IDLE_SECONDS, absoluteSeconds: e.SESSION_PRIVILEGED_ABSOLUTE_SECONDS },
    },
    membership: { days: e.MEMBERSHIP_DAYS, reminderDays: e.MEMBERSHIP_REMINDER_DAYS },
  };
}

const CONFIG = Symbol.for("liaison.config");
type GlobalWithConfig = typeof globalThis & { [CONFIG]?: Config };

/** The configuration of this process, read once from the environment (tests may install their own). */
export function config(): Config {
  const g = globalThis as GlobalWithConfig;
  g[CONFIG] ??= readConfig();
  return g[CONFIG];
}

export function installConfig(value: Config): void {
  (globalThis as GlobalWithConfig)[CONFIG] = value;
}
