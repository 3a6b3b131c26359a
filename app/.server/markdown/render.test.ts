import { marked } from "marked";
import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./render.ts";

const ALLOWED_TAGS = new Set([
  "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "ul", "ol", "li", "pre", "code",
  "em", "strong", "del", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
]);
const ALLOWED_ATTRIBUTES = new Set(["href", "title", "rel", "src", "alt", "start", "align", "class"]);

function decodeAttribute(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Fails unless every tag and attribute in `html` is on the allowlist and every URL is http(s), mailto or a same-site path. */
function expectInert(html: string) {
  expect(html).not.toMatch(/<\s*(script|iframe|svg|math|object|embed|form|button|input|textarea|style|base|meta|link|details)\b/i);
  for (const [tag, name = "", attributes = ""] of html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)) {
    expect(ALLOWED_TAGS.has(name.toLowerCase()), `tag ${tag}`).toBe(true);
    for (const [, attribute = "", raw = ""] of attributes.matchAll(/([^\s=/]+)(?:="([^"]*)")?/g)) {
      expect(ALLOWED_ATTRIBUTES.has(attribute), `attribute ${attribute} in ${tag}`).toBe(true);
      if (attribute === "href" || attribute === "src") {
        const url = Array.from(decodeAttribute(raw))
          .filter((char) => char > " " && char !== "\u007f")
          .join("");
        expect(url, `${attribute} in ${tag}`).toMatch(/^(?:https?:\/\/|mailto:|(?![^/?#]*:)(?![/\\]{2}))/i);
        expect(url).not.toMatch(/&#?[a-z0-9]+;/i);
      }
    }
    if (tag.startsWith("<a ")) expect(tag).toContain('rel="noopener noreferrer"');
  }
}

const PAYLOADS: [string, string][] = [
  ["script tag", "<script>alert(1)</script>"],
  ["unclosed script tag", "Hello <script>alert(1)"],
  ["img onerror", '<img src=x onerror="alert(1)">'],
  ["unclosed img onerror", "<img src=x onerror=alert(1)//"],
  ["svg onload", "<svg onload=alert(1)>"],
  ["script inside svg", "<svg><script>alert(1)</script></svg>"],
  ["javascript: markdown link", "[click](javascript:alert(1))"],
  ["mixed-case javascript: link", "[click](JaVaScRiPt:alert(1))"],
  ["padded javascript: link", "[click](<  javascript:alert(1)  >)"],
  ["javascript: HTML link", '<a href="javascript:alert(1)">click</a>'],
  ["decimal-encoded javascript: link", "[click](&#106;avascript:alert(1))"],
  ["hex-encoded javascript: link", "[click](&#x6A;avascript&#x3A;alert(1))"],
  ["encoded javascript: HTML link", '<a href="&#106;avascript&#58;alert(1)">click</a>'],
  ["vbscript: link", "[click](vbscript:msgbox(1))"],
  ["data: link", "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"],
  ["data: image", "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)"],
  ["javascript: image", "![pic](javascript:alert(1))"],
  ["iframe", '<iframe src="https://evil.example/"></iframe>'],
  ["object", '<object data="javascript:alert(1)"></object>'],
  ["style attribute", '<p style="background:url(javascript:alert(1))">styled</p>'],
  ["style element", "<style>body { display: none }</style>"],
  ["form and button injection", '<form action="https://evil.example/"><input name="password"><button>Sign in</button></form>'],
  ["textarea breakout", "<textarea><script>alert(1)</script></textarea>"],
  ["html comments around a script", "<!-- note --><script>alert(1)</script><!-- end -->"],
  ["comment hiding a tag", "text <!-- <img src=x onerror=alert(1)> --> more"],
  ["link title with quotes", '[x](https://example.com "title\\" onmouseover=\\"alert(1)")'],
  ["destination with quotes", '[x](<https://example.com/" onmouseover="alert(1)>)'],
  ["image alt breakout", '![x" onerror="alert(1)](/a.png)'],
  ["javascript: autolink", "<javascript:alert(1)>"],
  ["reference link to javascript:", "[click][ref]\n\n[ref]: javascript:alert(1)"],
  ["reference image to data:", "![pic][ref]\n\n[ref]: data:image/png;base64,AAAA"],
  ["nested tags", '<div><p><a href="javascript:alert(1)">nested</a></p></div>'],
  ["html inside link text", "[<img src=x onerror=alert(1)>](https://example.com)"],
  ["emphasis around a javascript: link", "***[x](javascript:alert(1))***"],
  ["event handler on an allowed tag", '<a href="https://example.com" onclick="alert(1)">x</a>'],
  ["details ontoggle", "<details open ontoggle=alert(1)>"],
  ["mutation XSS through math", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"],
  ["meta refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'],
  ["base href", '<base href="https://evil.example/">'],
  ["protocol-relative image", "![pic](//evil.example/pixel.png)"],
  ["backslash protocol-relative link", "[x](/\\evil.example)"],
  ["script in a table cell", "| a |\n| - |\n| <script>alert(1)</script> |"],
];

describe("renderMarkdown: XSS corpus", () => {
  it("has a corpus of at least 25 payloads", () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(25);
  });

  it.each(PAYLOADS)("neutralises %s", (_name, payload) => {
    expectInert(renderMarkdown(payload));
  });

  it("shows raw HTML as text rather than dropping what the author wrote", () => {
    expect(renderMarkdown("<script>alert(1)</script>")).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(renderMarkdown('Hi <b onclick="x()">there</b>')).toBe('<p>Hi &lt;b onclick="x()"&gt;there&lt;/b&gt;</p>\n');
  });

  it("drops HTML comments", () => {
    expect(renderMarkdown("<!-- editors: check dates -->\n\nBody")).toBe("<p>Body</p>\n");
  });

  it("turns links with refused URLs into their text", () => {
    for (const source of [
      "[click](javascript:alert(1))",
      "[click](&#106;avascript:alert(1))",
      "[click](data:text/html,hi)",
      "[click][ref]\n\n[ref]: javascript:alert(1)",
      "[click](//evil.example)",
    ]) {
      expect(renderMarkdown(source), source).toBe("<p>click</p>\n");
    }
  });

  it("escapes quotes in link titles", () => {
    expect(renderMarkdown('[x](https://example.com "a\\" onmouseover=\\"b")')).toBe(
      '<p><a href="https://example.com" title="a&quot; onmouseover=&quot;b" rel="noopener noreferrer">x</a></p>\n',
    );
  });

  it("keeps its options away from the global marked instance", () => {
    marked.use({ renderer: { html: ({ text }) => text } });
    expect(marked.parse("<b>raw</b>")).toContain("<b>raw</b>");
    expect(renderMarkdown("<b>raw</b>")).toBe("<p>&lt;b&gt;raw&lt;/b&gt;</p>\n");
  });
});

describe("renderMarkdown: ordinary markdown", () => {
  it("renders headings, demoting h1 because the page owns it", () => {
    expect(renderMarkdown("# Title\n\n## Part\n\n### Detail")).toBe("<h2>Title</h2>\n<h2>Part</h2>\n<h3>Detail</h3>\n");
  });

  it("renders paragraphs, emphasis, strikethrough, quotes and rules", () => {
    const html = renderMarkdown("Some *em*, **strong** and ~~gone~~ text.\n\n> quoted\n\n---");
    expect(html).toContain("<p>Some <em>em</em>, <strong>strong</strong> and <del>gone</del> text.</p>");
    expect(html).toContain("<blockquote>\n<p>quoted</p>\n</blockquote>");
    expect(html).toContain("<hr />");
  });

  it("renders lists, numbered lists that start elsewhere and task lists", () => {
    expect(renderMarkdown("- one\n- two")).toBe("<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n");
    expect(renderMarkdown("3. three\n4. four")).toBe('<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n');
    expect(renderMarkdown("- [x] done\n- [ ] open")).toBe("<ul>\n<li>☑ done</li>\n<li>☐ open</li>\n</ul>\n");
  });

  it("keeps code escaped, in blocks and inline", () => {
    const html = renderMarkdown("```ts\nif (a < b && c) render('<div>');\n```\n\nUse `<br>` sparingly.");
    expect(html).toContain(`<pre><code class="language-ts">if (a &lt; b &amp;&amp; c) render('&lt;div&gt;');\n</code></pre>`);
    expect(html).toContain("<p>Use <code>&lt;br&gt;</code> sparingly.</p>");
  });

  it("drops code classes that are not a language name", () => {
    expect(renderMarkdown('```x" onclick="y\ncode\n```')).toBe("<pre><code>code\n</code></pre>\n");
    expect(renderMarkdown("```c++\ncode\n```")).toBe('<pre><code class="language-c++">code\n</code></pre>\n');
  });

  it("renders tables with column alignment", () => {
    const html = renderMarkdown("| Day | Room |\n| :-- | :-: |\n| Monday | Hall A |");
    expect(html).toContain('<th align="left">Day</th>');
    expect(html).toContain('<td align="center">Hall A</td>');
    expect(html).toMatch(/^<table>\n<thead>/);
  });

  it("gives every link rel=noopener noreferrer and no target", () => {
    const html = renderMarkdown(
      "[site](https://example.com/a?b=1&c=2) [page](/pages/venue) [mail](mailto:help@example.org) <https://example.net> www.example.org",
    );
    expect(html).toContain('<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">site</a>');
    expect(html).toContain('<a href="/pages/venue" rel="noopener noreferrer">page</a>');
    expect(html).toContain('<a href="mailto:help@example.org" rel="noopener noreferrer">mail</a>');
    expect(html).toContain('<a href="https://example.net" rel="noopener noreferrer">https://example.net</a>');
    expect(html).toContain('<a href="http://www.example.org" rel="noopener noreferrer">www.example.org</a>');
    expect(html.match(/<a /g)).toHaveLength(5);
    expect(html).not.toContain("target");
  });

  it("keeps same-site images and shows remote ones as their alt text", () => {
    expect(renderMarkdown('![Floor plan](/images/floor.png "Level 2")')).toBe(
      '<p><img src="/images/floor.png" alt="Floor plan" title="Level 2" /></p>\n',
    );
    expect(renderMarkdown("![Tracking pixel](https://tracker.example/p.gif)")).toBe("<p>Tracking pixel</p>\n");
  });

  it("renders an empty document as nothing", () => {
    expect(renderMarkdown("")).toBe("");
  });
});
