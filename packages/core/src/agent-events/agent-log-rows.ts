import type { LogLine, LogRowKind } from "../schemas/log-row.ts";

/**
 * The run log holds an agent CLI's events as the runner rendered them (apps/runner log/claude-stream.ts and
 * log/codex-stream.ts: one readable row per message line, tool call, tool outcome, refusal and end), not as
 * the raw JSON, whose lines can pass the log's line limit. Each such row carries its kind, set by the runner
 * and checked by the hub (LogRowKindSchema); this reads a row of a kind into the entry the run page's
 * structured view shows. Only the kind decides what a row is: a row without one (the agent's own output)
 * is null, whatever colour codes or markers it prints. The runner's tests render every event kind and read
 * it back here, so the two cannot drift apart. Node-free (the browser uses it).
 */
export type AgentRow = { kind: LogRowKind; label: string; text: string };

// eslint-disable-next-line no-control-regex -- the escape character is what is matched
const SGR = /\u001b\[[0-9;]*m/g;

/** The entry a rendered row shows; null for a row the runner did not render from an agent's events. */
export function readAgentRow(line: Pick<LogLine, "stream" | "text" | "kind">): AgentRow | null {
  if (line.kind === undefined) return null;
  const plain = line.text.replace(SGR, "");
  switch (line.kind) {
    case "session":
      return { kind: line.kind, label: "session", text: afterWords(plain, 2) };
    case "message":
      return { kind: line.kind, label: "agent", text: plain };
    case "reasoning":
      return { kind: line.kind, label: "reasoning", text: plain };
    case "tool": {
      const call = withoutMarker(plain, "→ ");
      const space = call.indexOf(" ");
      return { kind: line.kind, label: space < 0 ? call : call.slice(0, space), text: space < 0 ? "" : call.slice(space + 1) };
    }
    case "outcome":
      return { kind: line.kind, label: "tool result", text: withoutMarker(plain, "← ") };
    case "error":
      return plain.startsWith("← ")
        ? { kind: line.kind, label: "tool error", text: plain.slice(2) }
        : { kind: line.kind, label: "error", text: afterWords(plain, 1) };
    case "refused": {
      const refusal = withoutMarker(plain, "✗ refused ");
      const colon = refusal.indexOf(": ");
      return {
        kind: line.kind,
        label: `refused ${colon < 0 ? refusal : refusal.slice(0, colon)}`,
        text: colon < 0 ? "" : refusal.slice(colon + 2),
      };
    }
    case "final":
      return { kind: line.kind, label: "finished", text: afterWords(plain, 1) };
    case "failed":
      return { kind: line.kind, label: "failed", text: afterWords(plain, 1) };
  }
}

function withoutMarker(text: string, marker: string): string {
  return text.startsWith(marker) ? text.slice(marker.length) : text;
}

/** The text after its first `count` words: the CLI's name ("claude", "codex") and what the row is. */
function afterWords(text: string, count: number): string {
  let rest = text;
  for (let i = 0; i < count; i++) {
    const space = rest.indexOf(" ");
    if (space < 0) return rest;
    rest = rest.slice(space + 1);
  }
  return rest;
}
