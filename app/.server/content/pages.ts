import { asc, eq, isNotNull, notInArray, sql } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { contentPages, type ContentPage } from "#db/schema/content.ts";
import { logger } from "../log.ts";
import { renderMarkdown } from "../markdown/render.ts";
import { changeContent, perContentVersion } from "./version.ts";
import { CONTENT_SLUG, loadContentPages, type ContentSource } from "./source.ts";

/**
 * Footer positions 1..n: pages with an `order` first, by it, then the others by title. Pages with `footer: false`
 * get none, and a null navOrder is what keeps a page out of the footer.
 */
function footerPositions(pages: ContentSource[]): Map<string, number> {
  const inFooter = pages
    .filter((page) => page.footer)
    .sort((a, b) => (a.order ?? Infinity) - (b.order ?? Infinity) || a.title.localeCompare(b.title) || a.slug.localeCompare(b.slug));
  return new Map(inFooter.map((page, index) => [page.slug, index + 1]));
}

/**
 * Validates every page in `dir` first (throwing a ContentError that names each bad file and field, with nothing
 * written), then in one transaction upserts them all and deletes the rows of files that are gone.
 */
export async function syncContentPages(dir: string): Promise<void> {
  const pages = await loadContentPages(dir);
  const positions = footerPositions(pages);
  const rows = pages.map((page) => ({
    slug: page.slug,
    title: page.title,
    summary: page.summary,
    navOrder: positions.get(page.slug) ?? null,
    html: renderMarkdown(page.body),
    sourcePath: page.sourcePath,
  }));
  await changeContent(async (tx) => {
    if (rows.length > 0) {
      await tx
        .insert(contentPages)
        .values(rows)
        .onConflictDoUpdate({
          target: contentPages.slug,
          set: {
            title: sql`excluded.title`,
            summary: sql`excluded.summary`,
            navOrder: sql`excluded.nav_order`,
            html: sql`excluded.html`,
            sourcePath: sql`excluded.source_path`,
            updatedAt: sql`now()`,
          },
          // An unchanged page keeps its updatedAt (and costs no row version).
          setWhere: sql`(${contentPages.title}, ${contentPages.summary}, ${contentPages.navOrder}, ${contentPages.html}, ${contentPages.sourcePath})
            is distinct from (excluded.title, excluded.summary, excluded.nav_order, excluded.html, excluded.source_path)`,
        });
      await tx.delete(contentPages).where(
        notInArray(
          contentPages.slug,
          rows.map((row) => row.slug),
        ),
      );
    } else {
      await tx.delete(contentPages);
    }
  });
  logger().info({ pages: rows.length, dir }, "content pages synced");
}

export async function getContentPage(slug: string): Promise<ContentPage | null> {
  if (!CONTENT_SLUG.test(slug)) return null;
  const [page] = await getDb().select().from(contentPages).where(eq(contentPages.slug, slug));
  return page ?? null;
}

type FooterLink = { slug: string; title: string };

/** The pages linked from the site footer, in footer order; every page shows it, so it is kept per content version. */
export function listFooterPages(): Promise<FooterLink[]> {
  return perContentVersion("footer-pages", () =>
    getDb()
      .select({ slug: contentPages.slug, title: contentPages.title })
      .from(contentPages)
      .where(isNotNull(contentPages.navOrder))
      .orderBy(asc(contentPages.navOrder), asc(contentPages.title))
      .execute(),
  );
}
