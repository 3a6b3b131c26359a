/**
 * `npm run content:import [dir]`: loads content/program (or dir) into the database named by the configuration, after
 * migrating it. Importing the same files again changes nothing; an invalid file is reported and nothing is written.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { importProgram } from "#app/.server/agenda/import.ts";
import { config } from "#app/.server/config.ts";
import { ContentError } from "#app/.server/content/source.ts";
import { installDatabase, migrateDatabase, openDatabase } from "#db/client.ts";

const dir = process.argv[2] ? path.resolve(process.argv[2]) : fileURLToPath(new URL("./program", import.meta.url));
const handle = await openDatabase(config().database);
installDatabase(handle);
try {
  await migrateDatabase(handle);
  const result = await importProgram(dir);
  process.stdout.write(
    result.changed
      ? `Imported ${result.conferences} editions, ${result.sessions} sessions and ${result.speakers} speakers` +
          (result.announced ? `; ${result.announced} changes announced to the people who starred them` : "") +
          ".\n"
      : "The program is already up to date: nothing changed.\n",
  );
} catch (error) {
  if (!(error instanceof ContentError)) throw error;
  process.stderr.write(`Nothing was imported:\n${error.message}\n`);
  process.exitCode = 1;
} finally {
  installDatabase(undefined);
  await handle.close();
}
