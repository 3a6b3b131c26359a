import { startBanner, startLiaison } from "./.server/boot.ts";
import { config } from "./.server/config.ts";
import { logger } from "./.server/log.ts";

const log = logger();
try {
  const liaison = await startLiaison();
  // JSON logs say it for machines; a person at the terminal reads the banner (on stderr, so stdout stays JSON lines).
  if (config().logFormat === "json") log.info(`Liaison is listening on ${liaison.url}`);
  process.stderr.write(startBanner(liaison.url, liaison.demoAccounts));
  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    // Whatever happens, the process is gone within 10 s of the signal.
    setTimeout(() => process.exit(1), 10_000).unref();
    liaison.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
} catch (error) {
  log.fatal({ err: error }, error instanceof Error ? error.message : "start-up failed");
  process.exit(1);
}
