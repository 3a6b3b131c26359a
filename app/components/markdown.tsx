/**
 * The one place rendered HTML reaches the page. Pass it only the output of renderMarkdown
 * (app/.server/markdown/render.ts), which escapes authors' HTML and sanitizes what it produces.
 */
export function Markdown({ html }: { html: string }) {
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
