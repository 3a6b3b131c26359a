/**
 * `npm run content:check`: validates the content pages and the program without a database, with the same code the
 * start-up and the import use. `content:check <dir>` checks a folder of pages; `content:check --program <dir>` a program.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadProgram } from "#app/.server/agenda/source.ts";
import { ContentError, loadContentPages } from "#app/.server/content/source.ts";

const here = (folder: string) => fileURLToPath(new URL(folder, import.meta.url));
const args = process.argv.slice(2);
const programOnly = args[0] === "--program";
const pagesDir = programOnly ? null : args[0] ? path.resolve(args[0]) : here("./pages");
const programDir = programOnly ? path.resolve(args[1] ?? here("./program")) : args[0] ? null : here("./program");

const plural = (count: number, word: string) => `${count} ${count === 1 ? word : `${word}s`}`;

try {
  if (pagesDir) {
    const pages = await loadContentPages(pagesDir);
    process.stdout.write(`${plural(pages.length, "page")} OK\n`);
  }
  if (programDir) {
    const program = await loadProgram(programDir);
    const sessions = program.conferences.reduce((count, conference) => count + conference.sessions.length, 0);
    process.stdout.write(
      `${plural(program.conferences.length, "edition")}, ${plural(sessions, "session")}, ${plural(program.speakers.length, "speaker")} OK\n`,
    );
  }
} catch (error) {
  if (!(error instanceof ContentError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
