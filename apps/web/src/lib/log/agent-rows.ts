import { readClaudeRow, type ClaudeRowKind } from "@grove/core/agent-events";
import type { LogLine } from "@grove/core";
import type { StreamEvent } from "./stream-json.ts";

const KIND: Record<ClaudeRowKind, StreamEvent["kind"]> = {
  session: "system",
  tool: "tool",
  outcome: "tool-result",
  error: "error",
  refused: "error",
  final: "result",
  failed: "error",
};

/**
 * A log row the runner rendered from Claude Code's events (core's readClaudeRow), as one entry of the
 * structured view; null for any other row, which the view shows as the text it is.
 */
export function agentRowEvents(line: Pick<LogLine, "stream" | "text">): StreamEvent[] | null {
  const row = readClaudeRow(line.stream, line.text);
  return row ? [{ kind: KIND[row.kind], label: row.label, text: row.text }] : null;
}
