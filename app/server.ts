import { startLiaison } from "./.server/boot.ts";
import { logger } from "./.server/log.ts";

const log = logger();
try {
  const liaison = await startLiaison();
  log.info(`Liaison is listening on ${liaison.url}`);
  process.stderr.write(`Liaison is running at ${liaison.url} (Ctrl-C stops it)\n`);
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
