import type { LogStream } from "@grove/core";
import { z } from "zod";

/**
 * The longest stream-json line read as one event. Claude Code prints each event on one line, and a tool's
 * result or a long answer makes one far longer than a log row: cut into rows first, it could not be parsed
 * (it showed as raw JSON, and a long final answer was lost). Past this, the line is read in pieces as text.
 */
export const MAX_CLAUDE_EVENT_CHARS = 4 * 1024 * 1024;

/** Claude Code's final `result` event: what it answered, and what it cost. */
export type ClaudeFinal = { isError: boolean; text: string; costUsd: number | null; turns: number | null };
export type RenderedLine = { stream: LogStream; text: string };
export type ClaudeStream = {
  /** Turns one stdout line of `--output-format stream-json` into readable log lines. */
  render(line: string): RenderedLine[];
  final(): ClaudeFinal | null;
  /** The actions Claude Code refused the agent (its `permission_denied` events), as "Tool: reason". */
  refused(): readonly string[];
};

const dim = (text: string) => `\u001b[2m${text}\u001b[0m`;
const cyan = (text: string) => `\u001b[36m${text}\u001b[0m`;
const red = (text: string) => `\u001b[31m${text}\u001b[0m`;

const ContentSchema = z.array(
  z.looseObject({
    type: z.string(),
    text: z.string().optional(),
    name: z.string().optional(),
    input: z.unknown().optional(),
    content: z.unknown().optional(),
    is_error: z.boolean().optional(),
  }),
);
const EventSchema = z.looseObject({
  type: z.string(),
  subtype: z.string().optional(),
  model: z.string().optional(),
  session_id: z.string().optional(),
  // An object on messages; a permission_denied event's is its text.
  message: z.union([z.looseObject({ content: z.union([ContentSchema, z.string()]).optional() }), z.string()]).optional(),
  tool_name: z.string().optional(),
  decision_reason: z.string().optional(),
  result: z.string().optional(),
  is_error: z.boolean().optional(),
  total_cost_usd: z.number().optional(),
  num_turns: z.number().optional(),
  duration_ms: z.number().optional(),
});

/** Whether an agent's argv asks Claude Code for stream-json output, which grove then renders. */
export function isClaudeStreamJson(argv: readonly string[]): boolean {
  return argv.some((arg, i) => arg === "--output-format=stream-json" || (arg === "--output-format" && argv[i + 1] === "stream-json"));
}

export function createClaudeStream(): ClaudeStream {
  let final: ClaudeFinal | null = null;
  const refused: string[] = [];
  return {
    final: () => final,
    refused: () => refused,
    render(line) {
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        return [{ stream: "stdout", text: line }];
      }
      const parsed = EventSchema.safeParse(raw);
      if (!parsed.success) return [{ stream: "stdout", text: line }];
      const event = parsed.data;
      switch (event.type) {
        case "system": {
          if (event.subtype === "init") return [{ stream: "stdout", text: dim(oneLine(`claude session ${event.session_id ?? "?"} (${event.model ?? "model ?"})`, 300)) }];
          if (event.subtype !== "permission_denied") return [];
          const why = event.decision_reason ?? (typeof event.message === "string" ? event.message : "not allowed");
          const denial = oneLine(`${event.tool_name ?? "tool"}: ${why}`, 300);
          // Bounded: a run's report names at most the first hundred.
          if (refused.length < 100) refused.push(denial);
          return [{ stream: "stderr", text: red(`✗ refused ${denial}`) }];
        }
        case "assistant":
        case "user":
          return renderContent(typeof event.message === "object" ? event.message.content : undefined);
        case "result": {
          final = {
            isError: event.is_error ?? event.subtype !== "success",
            text: event.result ?? "",
            costUsd: event.total_cost_usd ?? null,
            turns: event.num_turns ?? null,
          };
          const cost = final.costUsd === null ? "" : `, $${final.costUsd.toFixed(4)}`;
          // Every field the agent's CLI prints goes into one row: a line break in one must not start another.
          const summary = oneLine(`claude ${event.subtype ?? "finished"} after ${final.turns ?? "?"} turn(s)${cost}`, 300);
          return [{ stream: "stdout", text: final.isError ? red(summary) : cyan(summary) }];
        }
        default:
          return [];
      }
    },
  };
}

function renderContent(content: z.infer<typeof ContentSchema> | string | undefined): RenderedLine[] {
  if (content === undefined) return [];
  if (typeof content === "string") return textLines(content);
  return content.flatMap((part): RenderedLine[] => {
    switch (part.type) {
      case "text":
        return textLines(part.text ?? "");
      case "tool_use":
        return [{ stream: "stdout", text: cyan(`→ ${oneLine(part.name ?? "tool", 100)} ${oneLine(JSON.stringify(part.input ?? {}), 300)}`) }];
      case "tool_result": {
        const text = typeof part.content === "string" ? part.content : JSON.stringify(part.content ?? "");
        return part.is_error
          ? [{ stream: "stderr", text: red(`← ${oneLine(text, 300)}`) }]
          : [{ stream: "stdout", text: dim(`← ${text.length} chars`) }];
      }
      default:
        return [];
    }
  });
}

function textLines(text: string): RenderedLine[] {
  return text.split("\n").map((line) => ({ stream: "stdout", text: line }));
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
