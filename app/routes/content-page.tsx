import type { LoaderFunctionArgs } from "#app/shared/route-args.ts";
import { useLoaderData } from "react-router";
import { errorAwareMeta, GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Markdown } from "#app/components/markdown.tsx";
import { getContentPage } from "#app/.server/content/pages.ts";

export async function loader({ params }: LoaderFunctionArgs) {
  const page = await getContentPage(params.slug ?? "");
  if (!page) throw new Response("Not Found", { status: 404 });
  return { title: page.title, summary: page.summary, html: page.html };
}

/** Depends on published content only: anonymous visitors get it from the render cache. */
export const handle = { renderCache: true };

export const meta = errorAwareMeta<typeof loader>(({ data }) => [
  { title: data ? `${data.title} · Liaison` : "Liaison" },
  { name: "description", content: data?.summary ?? "" },
]);

export default function ContentPage() {
  const page = useLoaderData<typeof loader>();
  return (
    <article className="prose">
      <h1>{page.title}</h1>
      <Markdown html={page.html} />
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
