import { parseClaudeStreamLine, type ClaudeBlock, type LogRowKind, type LogStream, type UsageMeter } from "@grove/core";

/**
 * The longest stream-json line read as one event. Claude Code prints each event on one line, and a tool's
 * result or a long answer makes one far longer than a log row: cut into rows first, it could not be parsed
 * (it showed as raw JSON, and a long final answer was lost). Past this, the line is read in pieces as text.
 */
export const MAX_CLAUDE_EVENT_CHARS = 4 * 1024 * 1024;

/** Claude Code's final `result` event: what it answered, and what it cost. */
export type ClaudeFinal = { isError: boolean; text: string; costUsd: number | null; turns: number | null };
/** A log row; `kind` when it shows one of the agent's events (the agent's own text lines have none). */
export type RenderedLine = { stream: LogStream; text: string; kind?: LogRowKind };
export type ClaudeStream = {
  /** Turns one stdout line of `--output-format stream-json` into readable log lines. */
  render(line: string): RenderedLine[];
  final(): ClaudeFinal | null;
  /** The tool calls Claude Code refused so far (its `permission_denied` events): counted as they are printed. */
  refusedActions(): number;
  /** The refusals as "Tool: reason", the first hundred: what a run's end names. */
  refused(): readonly string[];
};

const dim = (text: string) => `\u001b[2m${text}\u001b[0m`;
const cyan = (text: string) => `\u001b[36m${text}\u001b[0m`;
const red = (text: string) => `\u001b[31m${text}\u001b[0m`;

/** Renders the events core's parser reads from Claude Code's stdout into the run's log lines. */
export function createClaudeStream(meter?: UsageMeter): ClaudeStream {
  let final: ClaudeFinal | null = null;
  let count = 0;
  const refused: string[] = [];
  return {
    final: () => final,
    refusedActions: () => count,
    refused: () => refused,
    render(line) {
      const event = parseClaudeStreamLine(line);
      if (!event) return [{ stream: "stdout", text: line }];
      meter?.observeClaude(event);
      switch (event.kind) {
        case "system":
          return event.subtype === "init"
            ? [
                {
                  stream: "stdout",
                  text: dim(oneLine(`claude session ${event.sessionId ?? "?"} (${event.model ?? "model ?"})`, 300)),
                  kind: "session",
                },
              ]
            : [];
        case "denial": {
          count += 1;
          const denial = oneLine(`${event.toolName ?? "a tool"}: ${event.reason ?? event.message ?? "not allowed"}`, 300);
          // Bounded: a run's end names at most the first hundred.
          if (refused.length < 100) refused.push(denial);
          return [{ stream: "stderr", text: red(`✗ refused ${denial}`), kind: "refused" }];
        }
        case "message":
          return event.blocks?.flatMap(renderBlock) ?? [];
        case "result": {
          final = {
            isError: event.isError ?? event.subtype !== "success",
            text: event.result ?? "",
            costUsd: event.costUsd,
            turns: event.turns,
          };
          const cost = final.costUsd === null ? "" : `, $${final.costUsd.toFixed(4)}`;
          // Every field the agent's CLI prints goes into one row: a line break in one must not start another.
          // Claude Code reports some failures ("Not logged in") as subtype "success" with is_error set: say failed.
          const outcome = final.isError
            ? event.subtype && event.subtype !== "success"
              ? event.subtype
              : "failed"
            : (event.subtype ?? "finished");
          const summary = oneLine(`claude ${outcome} after ${final.turns ?? "?"} turn(s)${cost}`, 300);
          return [
            final.isError
              ? { stream: "stdout", text: red(summary), kind: "failed" }
              : { stream: "stdout", text: cyan(summary), kind: "final" },
          ];
        }
        case "other":
          return [];
      }
    },
  };
}

function renderBlock(block: ClaudeBlock): RenderedLine[] {
  switch (block.kind) {
    case "text":
      return block.text.split("\n").map((line) => ({ stream: "stdout", text: line, kind: "message" }));
    case "tool-use":
      return [
        {
          stream: "stdout",
          text: cyan(`→ ${oneLine(block.name ?? "tool", 100)} ${oneLine(JSON.stringify(block.input ?? {}), 300)}`),
          kind: "tool",
        },
      ];
    case "tool-result": {
      const text = typeof block.content === "string" ? block.content : JSON.stringify(block.content ?? "");
      return block.isError
        ? [{ stream: "stderr", text: red(`← ${oneLine(text, 300)}`), kind: "error" }]
        : [{ stream: "stdout", text: dim(`← ${text.length} chars`), kind: "outcome" }];
    }
    case "other":
      return [];
  }
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
