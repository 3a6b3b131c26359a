/** `npm run content:check [dir]`: validates the content pages without a database, with the same code the start-up uses. */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ContentError, loadContentPages } from "#app/.server/content/source.ts";

const dir = process.argv[2] ? path.resolve(process.argv[2]) : fileURLToPath(new URL("./pages", import.meta.url));

try {
  const pages = await loadContentPages(dir);
  process.stdout.write(`${pages.length} ${pages.length === 1 ? "page" : "pages"} OK\n`);
} catch (error) {
  if (!(error instanceof ContentError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
