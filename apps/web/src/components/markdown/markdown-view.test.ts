import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { fuzzParameters } from "@grove/core/test-support";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { relativeRepoPath, safeUrl } from "../../lib/markdown/safe-url.ts";
import { MarkdownView } from "./markdown-view.tsx";

const render = (source: string, linkTo?: (href: string) => string) =>
  renderToStaticMarkup(createElement(MarkdownView, { source, linkTo }));

function decodeAttribute(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Every address in the output as the browser would read it, and what must never appear. */
function assertHarmless(html: string): void {
  expect(html).not.toMatch(/<(script|iframe|object|embed|style|img|svg|math|form|input|base|meta|link)\b/i);
  // Inside a tag only: React escapes every "<" and ">" of text and attribute values, so "<…>" is always a tag,
  // while escaped text may well read "&lt;img onerror=…&gt;" (shown, not run).
  expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/<[a-z][^>]*\sstyle\s*=/i);
  for (const [, , raw] of html.matchAll(/\s(href|src|action|formaction|xlink:href)="([^"]*)"/gi)) {
    const address = decodeAttribute(raw ?? "");
    expect(safeUrl(address), address).toBe(address.replace(/[\t\n\r]/g, "").trim());
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(address.replace(/[\t\n\r]/g, "").trim())?.[1];
    if (scheme !== undefined) expect(["http", "https", "mailto"]).toContain(scheme.toLowerCase());
  }
}

describe("markdown view", () => {
  it("renders headings, lists, emphasis, links and code", () => {
    const html = render("# Title\n\n- *one*\n- **two**\n\n[docs](https://example.com/a?b=1) and `x < y`\n\n```\n<b>raw</b>\n```");
    expect(html).toContain(">Title</h3>");
    expect(html).toContain("<em>one</em>");
    expect(html).toContain("<strong>two</strong>");
    expect(html).toContain('href="https://example.com/a?b=1"');
    expect(html).toContain('<code class="font-mono text-[0.9em]">x &lt; y</code>');
    expect(html).toContain("&lt;b&gt;raw&lt;/b&gt;");
    assertHarmless(html);
  });

  it.each([
    ["a script tag", "<script>alert(1)</script>\n\nafter", "after"],
    ["an inline script tag", "before <script>alert(1)</script> after", "before"],
    ["an image with onerror", '<img src=x onerror="alert(1)">', ""],
    ["a markdown image with a javascript address", "![pic](javascript:alert(1))", "pic"],
    ["a javascript link", "[x](javascript:alert(1))", "x"],
    ["an upper-case javascript link", "[x](JaVaScRiPt:alert(1))", "x"],
    ["a javascript link with a tab in the scheme", "[x](<java\tscript:alert(1)>)", "x"],
    ["a javascript link written with entities", "[x](&#106;avascript&#58;alert(1))", "x"],
    ["a javascript autolink", "<javascript:alert(1)>", ""],
    ["a data link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "x"],
    ["a vbscript link", "[x](vbscript:msgbox(1))", "x"],
    ["a reference link to javascript", "[x][r]\n\n[r]: javascript:alert(1)", "x"],
    ["an iframe", '<iframe src="https://evil.example"></iframe>', ""],
    ["an svg with onload", "<svg onload=alert(1)></svg>", ""],
    ["an entity-encoded script", "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;"],
    ["a link with an onclick title", '[x](https://a.example "\\" onclick=\\"alert(1)")', "x"],
  ])("keeps %s harmless", (_, source, visible) => {
    const html = render(source);
    assertHarmless(html);
    expect(html).toContain(visible);
    expect(html).not.toMatch(/href="[^"]*script:/i);
  });

  it("keeps http(s), mailto and relative links", () => {
    expect(safeUrl("https://a.example/x")).toBe("https://a.example/x");
    expect(safeUrl("mailto:ann@example.com")).toBe("mailto:ann@example.com");
    expect(safeUrl("notes/LEARN-001.md")).toBe("notes/LEARN-001.md");
    expect(safeUrl("./a:b.md")).toBe("./a:b.md");
    expect(safeUrl("#section")).toBe("#section");
    expect(safeUrl(" javascript:alert(1)")).toBeNull();
    expect(safeUrl("\u0001javascript:alert(1)")).toBeNull();
    expect(safeUrl("file:///etc/passwd")).toBeNull();
  });

  it("points relative links at the brain viewer when asked", () => {
    expect(relativeRepoPath("LEARN-002.md", "project-brain/README.md")).toBe("project-brain/LEARN-002.md");
    expect(relativeRepoPath("../docs/a.md#x", "project-brain/README.md")).toBe("docs/a.md");
    expect(relativeRepoPath("https://a.example", "project-brain/README.md")).toBeNull();
    expect(relativeRepoPath("#top", "project-brain/README.md")).toBeNull();
    const html = render("[next](LEARN-002.md) [web](https://a.example)", (href) =>
      relativeRepoPath(href, "project-brain/README.md")
        ? `/brain/file?path=${relativeRepoPath(href, "project-brain/README.md")}`
        : href,
    );
    expect(html).toContain('href="/brain/file?path=project-brain/LEARN-002.md"');
    expect(html).toContain('href="https://a.example"');
  });

  it("renders no hostile fragment mix into script, handlers or unsafe addresses", () => {
    const fragment = fc.constantFrom(
      "<script>",
      "</script>",
      "<img src=x onerror=alert(1)>",
      "javascript:",
      "JAVASCRIPT:",
      "java\tscript:",
      "data:text/html,",
      "vbscript:",
      "&#106;",
      "&#x3a;",
      "%6a",
      ":",
      "/",
      "#",
      "(",
      ")",
      "[",
      "]",
      "<",
      ">",
      '"',
      "'",
      " ",
      "\n",
      "`",
      "alert(1)",
      "https://a.example",
      "x",
      "![",
      "](",
      "<a href=",
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 24 }), (parts) => {
        const source = parts.join("");
        assertHarmless(render(source));
        assertHarmless(render(`[x](${source})`));
        assertHarmless(render(`<${source}>`));
      }),
      fuzzParameters(0.3),
    );
  });
});
