import { parseClaudeStreamLine, type ClaudeBlock, type LogStream, type UsageMeter } from "@grove/core";

/** Claude Code's final `result` event: what it answered, and what it cost. */
export type ClaudeFinal = { isError: boolean; text: string; costUsd: number | null; turns: number | null };
export type RenderedLine = { stream: LogStream; text: string };
export type ClaudeStream = {
  /** Turns one stdout line of `--output-format stream-json` into readable log lines. */
  render(line: string): RenderedLine[];
  final(): ClaudeFinal | null;
  /** The tool calls Claude Code refused so far (its `permission_denied` events): counted as they are printed. */
  refusedActions(): number;
};

const dim = (text: string) => `\u001b[2m${text}\u001b[0m`;
const cyan = (text: string) => `\u001b[36m${text}\u001b[0m`;
const red = (text: string) => `\u001b[31m${text}\u001b[0m`;

/** Renders the events core's parser reads from Claude Code's stdout into the run's log lines. */
export function createClaudeStream(meter?: UsageMeter): ClaudeStream {
  let final: ClaudeFinal | null = null;
  let refused = 0;
  return {
    final: () => final,
    refusedActions: () => refused,
    render(line) {
      const event = parseClaudeStreamLine(line);
      if (!event) return [{ stream: "stdout", text: line }];
      meter?.observeClaude(event);
      switch (event.kind) {
        case "system":
          return event.subtype === "init" ? [{ stream: "stdout", text: dim(oneLine(`claude session ${event.sessionId ?? "?"} (${event.model ?? "model ?"})`, 300)) }] : [];
        case "denial": {
          refused += 1;
          const why = event.reason ?? event.message ?? "not allowed";
          return [{ stream: "stderr", text: red(oneLine(`✗ refused ${event.toolName ?? "a tool"}: ${why}`, 300)) }];
        }
        case "message":
          return event.blocks?.flatMap(renderBlock) ?? [];
        case "result": {
          final = { isError: event.isError ?? event.subtype !== "success", text: event.result ?? "", costUsd: event.costUsd, turns: event.turns };
          const cost = final.costUsd === null ? "" : `, $${final.costUsd.toFixed(4)}`;
          // Every field the agent's CLI prints goes into one row: a line break in one must not start another.
          const summary = oneLine(`claude ${event.subtype ?? "finished"} after ${final.turns ?? "?"} turn(s)${cost}`, 300);
          return [{ stream: "stdout", text: final.isError ? red(summary) : cyan(summary) }];
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
      return block.text.split("\n").map((line) => ({ stream: "stdout", text: line }));
    case "tool-use":
      return [{ stream: "stdout", text: cyan(`→ ${oneLine(block.name ?? "tool", 100)} ${oneLine(JSON.stringify(block.input ?? {}), 300)}`) }];
    case "tool-result": {
      const text = typeof block.content === "string" ? block.content : JSON.stringify(block.content ?? "");
      return block.isError ? [{ stream: "stderr", text: red(`← ${oneLine(text, 300)}`) }] : [{ stream: "stdout", text: dim(`← ${text.length} chars`) }];
    }
    case "other":
      return [];
  }
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
