import { fuzzParameters } from "@grove/core/test-support";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderAnsiRow } from "./ansi-row.ts";
import { stripAnsiRow } from "./ansi-tokens.ts";

const ESC = "\u001b";
// Text an agent prints, HTML in it included; no control characters (the renderer drops those on purpose).
const printable = fc
  .string({
    unit: fc.oneof(
      fc.constantFrom("<", ">", "&", '"', "'", "<script>", "&lt;", "a", " ", "é", "🌳", "</a>", "</span>"),
      fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
    ),
    maxLength: 12,
  })
  .map((s) =>
    [...s]
      .filter((c) => (c.codePointAt(0) ?? 0) >= 0x20 && ((c.codePointAt(0) ?? 0) < 0x7f || (c.codePointAt(0) ?? 0) > 0x9f))
      .join(""),
  );
const uri = fc.oneof(
  fc.constantFrom(
    "https://example.com/a?b=1&c=<2>",
    'https://x.test/"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "data:text/html,<b>x</b>",
    "http://[::1]/",
    "",
  ),
  fc.webUrl(),
);
// Complete sequences only: whatever they do, the text between them must all be shown.
const complete = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 5 }).map((ps) => `${ESC}[${ps.join(";")}m`),
  fc.tuple(uri, fc.constantFrom("\u0007", `${ESC}\\`)).map(([u, st]) => `${ESC}]8;;${u}${st}`),
  fc.constantFrom(`${ESC}]8;;${ESC}\\`, `${ESC}[2K`, `${ESC}[1A`, `${ESC}(B`, `${ESC}]0;title\u0007`, `${ESC}P1$r${ESC}\\`),
);
// Any escape junk: cut-off CSI, unterminated OSC 8, lone ESC, C1 controls.
const junk = fc.oneof(
  complete,
  fc.constantFrom(
    ESC,
    `${ESC}[`,
    `${ESC}[38;5`,
    `${ESC}]8;;https://evil.test/`,
    `${ESC}]`,
    `${ESC}P`,
    `${ESC}_x`,
    "\u009b31m",
    "\u009d8;;x",
    "\u0007",
    "\r",
    "\b",
  ),
  fc.string({ unit: fc.constantFrom(ESC, "[", "]", ";", "8", "m", "\\", "\u0007", "x", "<"), maxLength: 8 }),
);

type Part = { text: string } | { sequence: string };
const structured = fc.array(
  fc.oneof(
    printable.map((text) => ({ text })),
    complete.map((sequence) => ({ sequence })),
  ),
  { maxLength: 10 },
);
const hostile = fc.array(fc.oneof(printable, junk), { maxLength: 12 }).map((parts) => parts.join(""));

const TAG =
  /<span style="[^"<>]*">|<\/span>|<a href="(https?:[^"<>]*)" target="_blank" rel="noopener noreferrer nofollow" class="underline">|<\/a>/g;
const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'" };

/** What a browser would show of the HTML: checked to hold no tag but the renderer's own, no raw `<` or `>`. */
function visibleText(html: string): string {
  for (const match of html.matchAll(TAG)) if (match[1] !== undefined) expect(match[1]).toMatch(/^https?:\/\//);
  const text = html.replace(TAG, "");
  expect(text).not.toMatch(/[<>]/);
  expect(text.replace(/&(amp|lt|gt|quot|#x27|#39);/g, "")).not.toContain("&");
  return text.replace(/&(amp|lt|gt|quot|#x27|#39);/g, (entity) => ENTITIES[entity] ?? entity);
}

describe("ANSI row rendering (property)", () => {
  it("any row renders to the renderer's own tags and escaped text, links only http(s), showing exactly its visible text", () => {
    fc.assert(
      fc.property(hostile, (row) => {
        expect(visibleText(renderAnsiRow(row))).toBe(stripAnsiRow(row));
      }),
      fuzzParameters(),
    );
  });

  it("text between complete escape sequences is all shown, whatever the sequences do", () => {
    fc.assert(
      fc.property(structured, (parts: Part[]) => {
        const row = parts.map((p) => ("text" in p ? p.text : p.sequence)).join("");
        const shown = parts.map((p) => ("text" in p ? p.text : "")).join("");
        expect(visibleText(renderAnsiRow(row))).toBe(shown);
      }),
      fuzzParameters(),
    );
  });

  it("a row renders the same whatever rows came before it, hostile ones included", () => {
    fc.assert(
      fc.property(fc.array(hostile, { minLength: 1, maxLength: 5 }), structured, (before, parts) => {
        const row = parts.map((p) => ("text" in p ? p.text : p.sequence)).join("");
        const alone = renderAnsiRow(row);
        for (const earlier of before) renderAnsiRow(earlier);
        // The log view renders each line with renderAnsiRow alone (virtual-log.tsx): nothing else carries over.
        expect(renderAnsiRow(row)).toBe(alone);
      }),
      fuzzParameters(0.3),
    );
  });
});
