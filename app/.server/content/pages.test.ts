import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { asc, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getDb, observeQueries } from "#db/client.ts";
import { contentPages } from "#db/schema/content.ts";
import { getContentPage, listFooterPages, syncContentPages } from "./pages.ts";
import { ContentError, loadContentPages } from "./source.ts";

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "liaison-content-"));
  await getDb().delete(contentPages);
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function page(frontmatter: string, body = "Some **text**."): string {
  return `---\n${frontmatter}\n---\n\n${body}\n`;
}

async function writePages(files: Record<string, string>) {
  for (const [name, text] of Object.entries(files)) await fs.writeFile(path.join(dir, name), text);
}

const VALID = {
  "about.md": page("title: About\nsummary: What the week is.\norder: 1", "## Who attends\n\nBorder and postal agencies."),
  "venue.md": page("title: Venue and travel\nsummary: Getting there.\norder: 2", "See the [floor plan](/pages/venue)."),
  "press.md": page("title: Press\nsummary: For journalists.\nfooter: false"),
  "glossary.md": page("title: Glossary\nsummary: Terms used."),
};

function allRows() {
  return getDb().select().from(contentPages).orderBy(asc(contentPages.slug));
}

describe("syncContentPages", () => {
  it("stores every valid page rendered, with footer positions", async () => {
    await writePages(VALID);
    await writePages({ "notes.txt": "not a page" });
    await syncContentPages(dir);

    const rows = await allRows();
    expect(rows.map((row) => [row.slug, row.navOrder])).toEqual([
      ["about", 1],
      ["glossary", 3],
      ["press", null],
      ["venue", 2],
    ]);
    const about = await getContentPage("about");
    expect(about).toMatchObject({ title: "About", summary: "What the week is.", sourcePath: path.join(dir, "about.md") });
    expect(about?.html).toBe("<h2>Who attends</h2>\n<p>Border and postal agencies.</p>\n");
    expect((await getContentPage("venue"))?.html).toContain('<a href="/pages/venue" rel="noopener noreferrer">floor plan</a>');
    expect(await listFooterPages()).toEqual([
      { slug: "about", title: "About" },
      { slug: "venue", title: "Venue and travel" },
      { slug: "glossary", title: "Glossary" },
    ]);
  });

  it("is a no-op for unchanged pages and refreshes changed ones", async () => {
    await writePages(VALID);
    await syncContentPages(dir);
    // Back-dated, so that a refresh shows in updatedAt however quickly it follows.
    await getDb().update(contentPages).set({ updatedAt: sql`${contentPages.updatedAt} - interval '1 hour'` });
    const before = await allRows();
    await writePages({ "about.md": page("title: About the conference\nsummary: What the week is.\norder: 1") });
    await syncContentPages(dir);
    const after = await allRows();
    const changed = after.find((row) => row.slug === "about")!;
    expect(changed.title).toBe("About the conference");
    expect(changed.updatedAt.getTime()).toBeGreaterThan(before.find((row) => row.slug === "about")!.updatedAt.getTime());
    expect(after.filter((row) => row.slug !== "about")).toEqual(before.filter((row) => row.slug !== "about"));
  });

  it.each([
    ["a missing title", { "venue.md": page("summary: Getting there.\norder: 2") }, "venue.md", "title: Required"],
    ["an order that is not a number", { "venue.md": page('title: Venue\nsummary: Getting there.\norder: "second"') }, "venue.md", "order: Must be a whole number"],
    ["a fractional order", { "venue.md": page("title: Venue\nsummary: Getting there.\norder: 1.5") }, "venue.md", "order: Must be a whole number"],
    ["a bad file name", { "Travel_Info.md": page("title: Travel\nsummary: Trains.") }, "Travel_Info.md", 'slug: "Travel_Info" must be lowercase'],
    ["an over-long title", { "venue.md": page(`title: ${"x".repeat(121)}\nsummary: Getting there.`) }, "venue.md", "title: Must be at most 120 characters"],
    ["an empty summary", { "venue.md": page("title: Venue\nsummary: '  '") }, "venue.md", "summary: Must not be empty"],
    ["a footer that is not a boolean", { "venue.md": page("title: Venue\nsummary: Trains.\nfooter: sometimes") }, "venue.md", "footer: Must be true or false"],
    ["an unknown field", { "venue.md": page("title: Venue\nsummary: Trains.\ntitel: Venue") }, "venue.md", "titel: Unknown field"],
    ["broken YAML", { "venue.md": page("title: [unclosed\nsummary: Trains.") }, "venue.md", "frontmatter: "],
    ["JavaScript frontmatter", { "venue.md": '---js\n{ title: "Venue", summary: process.exit(3) }\n---\nBody\n' }, "venue.md", "frontmatter: only YAML frontmatter is accepted"],
  ])("refuses %s naming the file and field, and writes nothing", async (_case, files, file, message) => {
    await writePages(VALID);
    await syncContentPages(dir);
    const before = await allRows();

    // A full run of changes around the bad file: none of them may land.
    await fs.rm(path.join(dir, "press.md"));
    await writePages({ "about.md": page("title: About (edited)\nsummary: Changed.\norder: 1"), "new-page.md": page("title: New\nsummary: New.") });
    await writePages(files);

    const error = await syncContentPages(dir).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ContentError);
    expect((error as ContentError).message).toContain(`${path.join(dir, file)}: ${message}`);
    expect(await allRows()).toEqual(before);
  });

  it("lists every problem in every file at once", async () => {
    await writePages({ "a.md": page("order: x"), "B.md": page("title: B\nsummary: B.") });
    await expect(loadContentPages(dir)).rejects.toThrow(ContentError);
    const problems = await loadContentPages(dir).catch((error: ContentError) => error.problems);
    expect(problems).toEqual([
      `${path.join(dir, "B.md")}: slug: "B" must be lowercase letters and digits joined by single hyphens`,
      `${path.join(dir, "a.md")}: title: Required`,
      `${path.join(dir, "a.md")}: summary: Required`,
      `${path.join(dir, "a.md")}: order: Must be a whole number`,
    ]);
  });

  it("refuses a directory that does not exist", async () => {
    await expect(syncContentPages(path.join(dir, "missing"))).rejects.toThrow("directory not found");
  });

  it("deletes the row of a file that is gone", async () => {
    await writePages(VALID);
    await syncContentPages(dir);
    await fs.rm(path.join(dir, "venue.md"));
    await syncContentPages(dir);
    expect((await allRows()).map((row) => row.slug)).toEqual(["about", "glossary", "press"]);
    expect(await getContentPage("venue")).toBeNull();

    for (const name of Object.keys(VALID)) await fs.rm(path.join(dir, name), { force: true });
    await syncContentPages(dir);
    expect(await allRows()).toEqual([]);
  });

  it("does not store raw HTML from a page", async () => {
    await writePages({
      "unsafe.md": page(
        "title: Unsafe\nsummary: Tries things.",
        '<script>alert(1)</script>\n\nHello <img src=x onerror="alert(1)"> and [link](javascript:alert(1)).\n\n<iframe src="https://evil.example/"></iframe>',
      ),
    });
    await syncContentPages(dir);
    const html = (await getContentPage("unsafe"))!.html;
    expect(html).not.toMatch(/<(script|img|iframe)/);
    expect(html).not.toContain("javascript:");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("<p>Hello &lt;img");
  });

  it("answers null for slugs that cannot exist", async () => {
    await writePages(VALID);
    await syncContentPages(dir);
    expect(await getContentPage("About")).toBeNull();
    expect(await getContentPage("../about")).toBeNull();
    expect(await getContentPage("")).toBeNull();
  });

  it("accepts the pages shipped in content/pages, in footer order", async () => {
    await syncContentPages(path.resolve("content/pages"));
    expect(await listFooterPages()).toEqual([
      { slug: "about", title: expect.any(String) },
      { slug: "venue", title: expect.any(String) },
      { slug: "code-of-conduct", title: expect.any(String) },
      { slug: "data-handling", title: expect.any(String) },
    ]);
    const rows = await allRows();
    expect(rows.map((row) => row.sourcePath).sort()).toEqual([
      "content/pages/about.md",
      "content/pages/code-of-conduct.md",
      "content/pages/data-handling.md",
      "content/pages/venue.md",
    ]);
  });

  it("reads the footer from the database once per minute, and again after a sync", async () => {
    await syncContentPages(path.resolve("content/pages"));
    const queries: string[] = [];
    const stop = observeQueries((query) => queries.push(query));
    try {
      for (let i = 0; i < 5; i++) await listFooterPages();
      expect(queries.filter((query) => query.includes("content_pages"))).toHaveLength(1);
      await syncContentPages(path.resolve("content/pages"));
      queries.length = 0;
      await listFooterPages();
      expect(queries.filter((query) => query.includes("content_pages"))).toHaveLength(1);
    } finally {
      stop();
    }
  });
});
