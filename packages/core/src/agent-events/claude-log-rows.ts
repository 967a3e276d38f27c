import type { LogStream } from "../schemas/log-row.ts";

/**
 * The run log holds Claude Code's events as the runner rendered them (apps/runner log/claude-stream.ts:
 * one readable row per message line, tool call, tool outcome, refusal and final result), not as the raw
 * stream-json, whose lines can pass the log's line limit. This reads such a row back into the kind of event
 * it shows, for the run page's structured view; the runner's tests render every event kind and read it back
 * here, so the two cannot drift apart. A row that is no rendered event (the agent's own text) is null.
 * Node-free (the browser uses it).
 */
export type ClaudeRowKind = "session" | "tool" | "outcome" | "error" | "refused" | "final" | "failed";
export type ClaudeRow = { kind: ClaudeRowKind; label: string; text: string };

// SGR colour codes only: the renderer wraps each row in one colour.
// eslint-disable-next-line no-control-regex -- the escape character is what is matched
const SGR = /\u001b\[[0-9;]*m/g;

/** The event a rendered row shows; null for a row the renderer did not mark (an assistant's text). */
export function readClaudeRow(stream: LogStream, text: string): ClaudeRow | null {
  if (stream !== "stdout" && stream !== "stderr") return null;
  const plain = text.replace(SGR, "");
  if (plain === text) return null; // every marked row is coloured; the agent's own text is not
  if (plain.startsWith("claude session "))
    return { kind: "session", label: "session", text: plain.slice("claude session ".length) };
  if (plain.startsWith("→ ")) {
    const rest = plain.slice(2);
    const space = rest.indexOf(" ");
    return { kind: "tool", label: space < 0 ? rest : rest.slice(0, space), text: space < 0 ? "" : rest.slice(space + 1) };
  }
  if (plain.startsWith("← "))
    return stream === "stderr"
      ? { kind: "error", label: "tool error", text: plain.slice(2) }
      : { kind: "outcome", label: "tool result", text: plain.slice(2) };
  if (plain.startsWith("✗ refused ")) {
    const rest = plain.slice("✗ refused ".length);
    const colon = rest.indexOf(": ");
    return {
      kind: "refused",
      label: `refused ${colon < 0 ? rest : rest.slice(0, colon)}`,
      text: colon < 0 ? "" : rest.slice(colon + 2),
    };
  }
  if (plain.startsWith("claude ")) {
    const isFailed = text.startsWith("\u001b[31m");
    return { kind: isFailed ? "failed" : "final", label: isFailed ? "failed" : "finished", text: plain.slice("claude ".length) };
  }
  return null;
}
