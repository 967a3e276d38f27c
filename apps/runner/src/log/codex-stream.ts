import { parseCodexLine, parseCodexStderrLine, type CodexEvent, type UsageMeter } from "@grove/core";
import type { ClaudeFinal, RenderedLine } from "./claude-stream.ts";

const dim = (text: string) => `\u001b[2m${text}\u001b[0m`;
const cyan = (text: string) => `\u001b[36m${text}\u001b[0m`;
const red = (text: string) => `\u001b[31m${text}\u001b[0m`;

/** Whether an agent's argv asks `codex exec` for its JSON event stream, which grove then renders. */
export function isCodexJson(argv: readonly string[]): boolean {
  const options = argv.slice(0, argv.includes("--") ? argv.indexOf("--") : argv.length);
  return /(^|[\\/])codex(\.exe|\.js)?$/.test(options[0] ?? "") && options.includes("exec") && options.includes("--json");
}

/**
 * Renders `codex exec --json` (parsed in core, parseCodexLine) into readable log lines, and feeds the run's
 * usage meter. A line that is no codex event stays in the log as it is. The agent's last message is its
 * final answer: the RESULT of last resort, as Claude's `result` event is. Calls codex declined are counted
 * as refused actions, as Claude's permission denials are.
 */
export function createCodexStream(meter: UsageMeter) {
  let lastMessage: string | null = null;
  let count = 0;
  const refused: string[] = [];
  const refuse = (event: Extract<CodexEvent, { kind: "denial" }>): RenderedLine => {
    count += 1;
    const denial = oneLine(`${event.toolName ?? "a tool"}: ${event.message ?? ""} (${event.reason ?? "not allowed"})`, 300);
    // Bounded: a run's end names at most the first hundred.
    if (refused.length < 100) refused.push(denial);
    return { stream: "stderr", text: red(`✗ refused ${denial}`), kind: "refused" };
  };
  return {
    render(line: string): RenderedLine[] {
      const events = parseCodexLine(line);
      if (events === null) return [{ stream: "stdout", text: line }];
      meter.observeCodex(events);
      return events.flatMap((event) => {
        if (event.kind === "message") lastMessage = event.text;
        return event.kind === "denial" ? [refuse(event)] : renderEvent(event);
      });
    },
    /** A stderr line as it is, and after it the refusal it reports, if it is one (see parseCodexStderrLine). */
    renderStderr(line: string): RenderedLine[] {
      const denial = parseCodexStderrLine(line);
      const original: RenderedLine = { stream: "stderr", text: line };
      return denial?.kind === "denial" ? [original, refuse(denial)] : [original];
    },
    final: (): ClaudeFinal | null =>
      lastMessage === null ? null : { isError: false, text: lastMessage, costUsd: null, turns: null },
    refusedActions: (): number => count,
    refused: (): readonly string[] => refused,
  };
}

function renderEvent(event: Exclude<CodexEvent, { kind: "denial" }>): RenderedLine[] {
  switch (event.kind) {
    case "thread":
      return [{ stream: "stdout", text: dim(`codex thread ${oneLine(event.threadId, 200)}`), kind: "session" }];
    case "turn-started":
    case "tool-started":
      return [];
    case "message":
      return event.text.split("\n").map((text) => ({ stream: "stdout", text, kind: "message" }));
    case "reasoning":
      return [{ stream: "stdout", text: dim(oneLine(event.text, 300)), kind: "reasoning" }];
    case "tool-completed":
      return [
        { stream: "stdout", text: cyan(`→ ${event.tool} ${oneLine(event.input, 300)}`), kind: "tool" },
        renderOutcome(event),
      ];
    case "error":
      return [{ stream: "stderr", text: red(`codex: ${oneLine(event.message, 300)}`), kind: "error" }];
    case "turn-failed":
      return [{ stream: "stderr", text: red(`codex turn failed: ${oneLine(event.message, 300)}`), kind: "failed" }];
    case "usage":
      return [
        {
          stream: "stdout",
          text: cyan(`codex turn done: ${event.usage.inputTokens} in / ${event.usage.outputTokens} out tokens`),
          kind: "final",
        },
      ];
  }
}

/** A tool's outcome in one row: its exit code (or how it ended) and the tail of its output, where the answer is. */
function renderOutcome(event: Extract<CodexEvent, { kind: "tool-completed" }>): RenderedLine {
  const status = event.exitCode !== null ? `exit ${event.exitCode}` : event.isError ? "failed" : "done";
  const tail = oneLine(event.output.slice(-OUTPUT_TAIL_CHARS), OUTPUT_TAIL_CHARS);
  const text = `← ${status}${tail === "" ? "" : `: ${tail}`}`;
  return event.isError
    ? { stream: "stderr", text: red(text), kind: "error" }
    : { stream: "stdout", text: dim(text), kind: "outcome" };
}

const OUTPUT_TAIL_CHARS = 300;

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
