import { Marked, type Tokens } from "marked";
import sanitizeHtml from "sanitize-html";

/**
 * The one markdown renderer: content pages, forum posts and anything else a person writes go through here, and the
 * result is the only HTML the <Markdown> component shows.
 *
 * Two layers. The marked renderer never emits author HTML (raw tags are escaped and shown as text) and only emits
 * links and images whose URLs pass the checks below. sanitize-html then re-parses the output against an allowlist, so a
 * bug or a future marked change in the first layer still cannot produce a script, a handler, a style or a bad URL.
 */

const LINK_SCHEMES = ["http", "https", "mailto"];

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Characters a browser ignores or strips in a URL, removed before deciding what the URL is. */
function probe(url: string): string {
  return Array.from(url)
    .filter((char) => char > " " && char !== "\u007f")
    .join("");
}

/** A path on this site: no scheme (no colon before the first / ? #) and not protocol-relative (//host or /\host). */
function isRelativeUrl(url: string): boolean {
  const value = probe(url);
  return !/^[^/?#]*:/.test(value) && !/^[/\\]{2}/.test(value);
}

/** A character reference in a destination could hide a scheme from the checks, so such a link is shown as text. */
function hasCharacterReference(url: string): boolean {
  return /&#?[a-z0-9]+;/i.test(url);
}

function isAllowedLinkUrl(url: string): boolean {
  if (hasCharacterReference(url)) return false;
  return isRelativeUrl(url) || /^(?:https?:\/\/|mailto:)/i.test(probe(url));
}

/** Percent-encodes what must be (as marked does), then escapes every `&`, so the browser reads exactly the URL checked. */
function urlAttribute(url: string): string | null {
  try {
    return escapeHtml(encodeURI(url).replace(/%25/g, "%"));
  } catch {
    return null;
  }
}

const markdown = new Marked({
  async: false,
  gfm: true,
  breaks: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      // Comments are authors' notes to each other; any other raw HTML is shown as the text it is.
      if (/^\s*<!--[\s\S]*-->\s*$/.test(text)) return "";
      return escapeHtml(text);
    },
    link({ href, title, tokens, text, autolink }: Tokens.Link) {
      const label = autolink ? escapeHtml(text) : this.parser.parseInline(tokens);
      const attribute = isAllowedLinkUrl(href) ? urlAttribute(href) : null;
      if (attribute === null) return label;
      return `<a href="${attribute}"${title ? ` title="${escapeHtml(title)}"` : ""}>${label}</a>`;
    },
    image({ href, title, text }: Tokens.Image) {
      // Same-site images only: the CSP allows no other origin, and a remote image in a post would tell its host who
      // read the post and from where.
      const attribute = isRelativeUrl(href) && !hasCharacterReference(href) ? urlAttribute(href) : null;
      if (attribute === null) return escapeHtml(text);
      return `<img src="${attribute}" alt="${escapeHtml(text)}"${title ? ` title="${escapeHtml(title)}"` : ""}>`;
    },
    checkbox({ checked }: Tokens.Checkbox) {
      // Task-list boxes as text: no <input> reaches the page.
      return checked ? "☑ " : "☐ ";
    },
  },
});

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "ul", "ol", "li", "pre", "code",
    "em", "strong", "del", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
  ],
  allowedAttributes: {
    a: ["href", "title", "rel"],
    img: ["src", "alt", "title"],
    ol: ["start"],
    th: [{ name: "align", multiple: false, values: ["left", "center", "right"] }],
    td: [{ name: "align", multiple: false, values: ["left", "center", "right"] }],
  },
  allowedClasses: { code: [/^language-[a-z0-9+#-]{1,30}$/i] },
  allowedSchemes: LINK_SCHEMES,
  allowedSchemesByTag: { img: [] },
  allowedSchemesAppliedToAttributes: ["href", "src"],
  allowProtocolRelative: false,
  disallowedTagsMode: "discard",
  transformTags: {
    // The page around the markdown owns the one <h1>.
    h1: "h2",
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: "noopener noreferrer" } }),
  },
};

export function renderMarkdown(source: string): string {
  return sanitizeHtml(markdown.parse(source, { async: false }), SANITIZE);
}
