import fs from "node:fs/promises";
import path from "node:path";
import matter from "gray-matter";
import { z } from "zod";

/**
 * Reads and validates a directory of content pages (`<slug>.md` with YAML frontmatter). No database here: the start-up
 * sync and `npm run content:check` share this, so both accept and refuse exactly the same files.
 */

export const CONTENT_SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const requiredText = { error: (issue: { input?: unknown }) => (issue.input === undefined ? "Required" : "Must be text") };

const FrontmatterSchema = z.strictObject({
  title: z.string(requiredText).trim().min(1, "Must not be empty").max(120, "Must be at most 120 characters"),
  summary: z.string(requiredText).trim().min(1, "Must not be empty").max(300, "Must be at most 300 characters"),
  order: z.int({ error: "Must be a whole number" }).optional(),
  footer: z.boolean({ error: "Must be true or false" }).default(true),
});

export type ContentSource = z.infer<typeof FrontmatterSchema> & {
  slug: string;
  /** Markdown after the frontmatter. */
  body: string;
  /** Relative to the working directory when the file is inside it, as shown in error messages. */
  sourcePath: string;
};

export class ContentError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ContentError";
  }
}

/** A path as error messages show it: relative to the working directory when the file is inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative.split(path.sep).join("/");
}

function refuseEngine(): never {
  throw new Error("only YAML frontmatter is accepted");
}

/** YAML frontmatter and the markdown after it; any other frontmatter language is refused. */
export function readFrontmatter(text: string): { data: unknown; body: string } {
  // Options (any object) also keep gray-matter from returning a shared cached result for identical input. Its
  // JavaScript engine would evaluate the frontmatter, so it is switched off.
  const file = matter(text, { engines: { javascript: refuseEngine, js: refuseEngine, json: refuseEngine } });
  return { data: file.data, body: file.content };
}

function parsePage(file: string, text: string): { page?: ContentSource; problems: string[] } {
  const sourcePath = displayPath(file);
  const slug = path.basename(file, ".md");
  const problems: string[] = [];
  if (!CONTENT_SLUG.test(slug)) {
    problems.push(`${sourcePath}: slug: "${slug}" must be lowercase letters and digits joined by single hyphens`);
  }
  let frontmatter: { data: unknown; body: string };
  try {
    frontmatter = readFrontmatter(text);
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    problems.push(`${sourcePath}: frontmatter: ${message}`);
    return { problems };
  }
  const parsed = FrontmatterSchema.safeParse(frontmatter.data);
  if (!parsed.success) problems.push(...describeIssues(sourcePath, parsed.error.issues));
  if (problems.length > 0 || !parsed.success) return { problems };
  return { page: { ...parsed.data, slug, body: frontmatter.body, sourcePath }, problems };
}

/** Zod's complaints about a file's frontmatter as `file: field: message` lines. */
export function describeIssues(sourcePath: string, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => `${sourcePath}: ${[...issue.path, key].join(".")}: Unknown field`)
      : [`${sourcePath}: ${issue.path.join(".") || "frontmatter"}: ${issue.message}`],
  );
}

/** Every `*.md` file in `dir`, validated; throws a ContentError listing each problem as `file: field: message`. */
export async function loadContentPages(dir: string): Promise<ContentSource[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new ContentError([`${displayPath(dir)}: directory not found`]);
    throw error;
  }
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".md"))
    .map((entry) => path.join(dir, entry.name))
    .sort();
  const pages: ContentSource[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const result = parsePage(file, await fs.readFile(file, "utf8"));
    if (result.page) pages.push(result.page);
    problems.push(...result.problems);
  }
  if (problems.length > 0) throw new ContentError(problems);
  return pages;
}
