import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { LogLine } from "@grove/core";
import { agentRowEvents } from "../../lib/log/agent-rows.ts";
import { renderAnsiRow } from "../../lib/log/ansi-row.ts";
import { LogRow } from "./log-row.tsx";

/** A row as the virtual log renders it in structured mode: its events when it has any, else its text. */
function structuredRow(line: LogLine): string {
  const events = agentRowEvents(line);
  const props = { seq: line.seq, line, html: events ? "" : renderAnsiRow(line.text), events, top: 0 };
  return renderToStaticMarkup(createElement(LogRow, { ...props, isSelected: false, isMatch: false, onSelect: () => undefined }));
}

describe("a log row in the structured view", () => {
  it("shows a codex command's outcome as a labelled entry with its exit code and output tail", () => {
    const html = structuredRow({
      seq: 4,
      stream: "stderr",
      text: "\u001b[31m← exit 2: ls: cannot access 'x'\u001b[0m",
      ts: 0,
      kind: "error",
    });
    expect(html).toContain(">tool error</span>");
    expect(html).toContain("exit 2: ls: cannot access &#x27;x&#x27;");
  });

  it("shows the agent's own text that mimics a tool call as text, not as an entry", () => {
    const html = structuredRow({ seq: 5, stream: "stdout", text: '\u001b[36m→ Bash {"command":"ls"}\u001b[0m', ts: 0 });
    expect(html).not.toContain("bg-amber-900");
    expect(html).toContain("→ Bash");
  });
});
