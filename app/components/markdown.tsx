/** Shows HTML made by the one markdown renderer (app/.server/markdown), which has already sanitized it. */
export function Markdown({ html }: { html: string }) {
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
