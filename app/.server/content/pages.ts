// Placeholder: the content pipeline is being written.
import { eq } from "drizzle-orm";
import { getDb } from "#db/client.ts";
import { contentPages, type ContentPage } from "#db/schema/content.ts";

export async function syncContentPages(_dir: string): Promise<void> {}

export async function getContentPage(slug: string): Promise<ContentPage | null> {
  const [page] = await getDb().select().from(contentPages).where(eq(contentPages.slug, slug));
  return page ?? null;
}

export async function listFooterPages(): Promise<{ slug: string; title: string }[]> {
  return getDb().select({ slug: contentPages.slug, title: contentPages.title }).from(contentPages).orderBy(contentPages.navOrder, contentPages.title);
}
