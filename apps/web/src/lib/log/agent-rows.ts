import { readAgentRow } from "@grove/core/agent-events";
import type { LogLine, LogRowKind } from "@grove/core";
import { parseStreamJson, type StreamEvent } from "./stream-json.ts";

const KIND: Record<LogRowKind, StreamEvent["kind"]> = {
  session: "system",
  message: "text",
  reasoning: "system",
  tool: "tool",
  outcome: "tool-result",
  error: "error",
  refused: "error",
  final: "result",
  failed: "error",
};

/**
 * A log row the runner rendered from an agent CLI's events (Claude Code's stream-json, Codex's --json), as
 * one entry of the structured view; null for any other row, which the view shows as the text it is. What
 * a row is comes from the kind the runner gave it (core's readAgentRow), never from its text.
 */
export function agentRowEvents(line: Pick<LogLine, "stream" | "text" | "kind">): StreamEvent[] | null {
  const row = readAgentRow(line);
  return row ? [{ kind: KIND[row.kind], label: row.label, text: row.text }] : null;
}

/**
 * The structured view's entries for a log row: by its kind when the runner rendered it; else a raw
 * stream-json line (a log written before the runner rendered Claude's events); else null, shown as text.
 * A row of a kind is never read as raw JSON: an agent's message that is a stream-json line stays its message.
 */
export function structuredEvents(line: Pick<LogLine, "stream" | "text" | "kind">): StreamEvent[] | null {
  return line.kind === undefined ? parseStreamJson(line.text) : agentRowEvents(line);
}
