import { describe, expect, it } from "vitest";
import { renderAnsiRow } from "./ansi-row.ts";
import { stripAnsiRow } from "./ansi-tokens.ts";

const ESC = "\u001b";
const BEL = "\u0007";

/** The text a browser shows for the HTML (tags out, entities back). */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&#x27;", "'")
    .replaceAll("&amp;", "&");
}

/** Rows the way the log view renders them: one after another, top to bottom. */
const renderRows = (rows: string[]) => rows.map(renderAnsiRow);

describe("renderAnsiRow", () => {
  it("renders every row after an unterminated OSC 8 link, grove's own last line included", () => {
    const html = renderRows([`${ESC}]8;;https://evil.example/x`, "agent: still working", "grove: run succeeded (exit 0)"]);
    expect(html[0]).toBe("");
    expect(visibleText(html[1] ?? "")).toBe("agent: still working");
    expect(visibleText(html[2] ?? "")).toBe("grove: run succeeded (exit 0)");
  });

  it("drops an incomplete CSI at the end of a row without eating the next row's first character", () => {
    const html = renderRows([`progress 50%${ESC}[3`, "Done", `tail${ESC}`, "X marks", `${ESC}[`, "Y"]);
    expect(html.map(visibleText)).toEqual(["progress 50%", "Done", "tail", "X marks", "", "Y"]);
  });

  it("confines unterminated DCS, APC, PM and SOS strings to their own row", () => {
    for (const intro of ["P", "_", "^", "X"]) {
      const html = renderRows([`before${ESC}${intro}hidden payload`, "next row"]);
      expect(html.map(visibleText)).toEqual(["before", "next row"]);
    }
  });

  it("drops terminated control strings and non-colour sequences but keeps the text around them", () => {
    const row = `a${ESC}]0;window title${BEL}b${ESC}Pq#0;payload${ESC}\\c${ESC}[2Kd${ESC}(Be${ESC}7f\r\u0008g`;
    expect(visibleText(renderAnsiRow(row))).toBe("abcdefg");
  });

  it("does not carry colour from one row into the next", () => {
    const [red, plain] = renderRows([`${ESC}[31mred without reset`, "plain"]);
    expect(red).toContain("color:rgb(187,0,0)");
    expect(plain).toBe("plain");
  });

  it("keeps colours within a row, across a link", () => {
    const html = renderAnsiRow(`${ESC}[32mok ${ESC}]8;;https://example.com/a${ESC}\\docs${ESC}]8;;${ESC}\\ tail`);
    expect(html).toBe(
      '<span style="color:rgb(0,187,0)">ok </span><a href="https://example.com/a" target="_blank" rel="noopener noreferrer nofollow" class="underline"><span style="color:rgb(0,187,0)">docs</span></a><span style="color:rgb(0,187,0)"> tail</span>',
    );
  });

  it("renders only http(s) links, escaped, and shows any other link's text plain", () => {
    const quoted = renderAnsiRow(`${ESC}]8;;https://example.com/?q="><script>${BEL}x${ESC}]8;;${BEL}`);
    expect(quoted).toBe(
      '<a href="https://example.com/?q=%22%3E%3Cscript%3E" target="_blank" rel="noopener noreferrer nofollow" class="underline">x</a>',
    );
    for (const uri of [
      "javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "JaVaScRiPt:alert(1)",
      "//evil.example",
      "file:///etc/passwd",
    ]) {
      expect(renderAnsiRow(`${ESC}]8;;${uri}${BEL}click${ESC}]8;;${BEL}`)).toBe("click");
    }
  });

  it("escapes HTML and script in the text", () => {
    const html = renderAnsiRow(`<img src=x onerror=alert(1)> & <script>alert("x")</script> ${ESC}[1m<b>'bold'</b>`);
    expect(html).not.toMatch(/<(img|script|b)\b/);
    expect(visibleText(html)).toBe(`<img src=x onerror=alert(1)> & <script>alert("x")</script> <b>'bold'</b>`);
  });
});

describe("stripAnsiRow", () => {
  it("keeps the visible text only, with the same row confinement", () => {
    expect(stripAnsiRow(`${ESC}[1;31mFAIL${ESC}[0m ${ESC}]8;;https://x.example${BEL}link${ESC}]8;;${BEL} done`)).toBe(
      "FAIL link done",
    );
    expect(stripAnsiRow(`${ESC}]8;;https://x.example never closed`)).toBe("");
  });
});
