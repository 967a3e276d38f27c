import { z } from "zod";

/**
 * The one parser of Claude Code's `--output-format stream-json`: a stdout line in, a typed event out. The
 * runner renders the events into its log lines, the browser summarises them for the structured log view;
 * how each shows them is theirs, what a line means is decided here. Another agent CLI's events get a
 * parser of their own beside this one. Node-free (the browser uses it).
 *
 * Lenient where Claude Code is loose (unknown event and block types, extra fields), strict on the fields
 * grove reads: a line where one of them has another type is not an event, and is shown as the plain text it
 * is. (The runner always read lines so; the browser's own schema, before this one, ignored such a field when
 * the event's type did not use it.)
 */

// The fields grove reads, checked on every event and block whatever its type (a field of another type
// makes the line plain text); anything else passes.
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
// Usage is read leniently: a count of another type is a count not reported, not a line that is no event.
const count = z.number().catch(0).default(0);
const UsageSchema = z
  .looseObject({ input_tokens: count, cache_creation_input_tokens: count, cache_read_input_tokens: count, output_tokens: count })
  .optional()
  .catch(undefined);
const EventSchema = z.looseObject({
  type: z.string(),
  subtype: z.string().optional(),
  model: z.string().optional(),
  session_id: z.string().optional(),
  tools: z.unknown().optional(),
  // A message event's message is an object; a permission_denied event's is the text of the refusal.
  message: z
    .union([
      z.looseObject({
        content: z.union([ContentSchema, z.string()]).optional(),
        id: z.string().optional().catch(undefined),
        usage: UsageSchema,
      }),
      z.string(),
    ])
    .optional(),
  usage: UsageSchema,
  tool_name: z.string().optional(),
  decision_reason: z.string().optional(),
  result: z.string().optional(),
  is_error: z.boolean().optional(),
  total_cost_usd: z.number().optional(),
  num_turns: z.number().optional(),
  duration_ms: z.number().optional(),
});

/** One block of a message: text, a tool call, a tool's answer, or a kind this parser does not know. */
export type ClaudeBlock =
  | { kind: "text"; text: string }
  | { kind: "tool-use"; name: string | null; input: unknown }
  | { kind: "tool-result"; content: unknown; isError: boolean }
  | { kind: "other"; type: string };

export type ClaudeStreamEvent =
  | { kind: "system"; subtype: string | null; sessionId: string | null; model: string | null; toolCount: number | null }
  /**
   * Claude Code refused a tool call under its permission mode (a `system` event of subtype
   * `permission_denied`, printed before the tool's error result): one refused action of the agent.
   */
  | { kind: "denial"; toolName: string | null; reason: string | null; message: string | null }
  /**
   * A message; a plain string content is one text block; null when it carried no content. `usage` as the
   * model's message started (its input exact, its output only begun); its content blocks come as events of
   * their own with the same `id`.
   */
  | { kind: "message"; role: "assistant" | "user"; blocks: ClaudeBlock[] | null; id: string | null; usage: ClaudeUsage | null }
  /** The final event, with the run's totals. `isError` as Claude Code sent it: null when it left it out. */
  | {
      kind: "result";
      subtype: string | null;
      isError: boolean | null;
      result: string | null;
      costUsd: number | null;
      turns: number | null;
      durationMs: number | null;
      usage: ClaudeUsage | null;
      sessionId: string | null;
    }
  | { kind: "other"; type: string };

/** Tokens as Claude Code reports them; input counts the cache reads and writes beside it. */
export type ClaudeUsage = { inputTokens: number; outputTokens: number };

/** Whether an agent's argv asks Claude Code for stream-json output. */
export function isClaudeStreamJson(argv: readonly string[]): boolean {
  return argv.some(
    (arg, i) => arg === "--output-format=stream-json" || (arg === "--output-format" && argv[i + 1] === "stream-json"),
  );
}

/** The event on one stdout line; null when the line is not one (plain output, other JSON). */
export function parseClaudeStreamLine(line: string): ClaudeStreamEvent | null {
  // Every event is a JSON object; a plain line is no event, told without the cost of a thrown parse error.
  if (!/^\s*\{/.test(line)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = EventSchema.safeParse(raw);
  if (!parsed.success) return null;
  // Only a refusal's message is text; a message event's must be an object.
  if (typeof parsed.data.message === "string" && parsed.data.subtype !== "permission_denied") return null;
  return toEvent(parsed.data);
}

function toEvent(event: z.infer<typeof EventSchema>): ClaudeStreamEvent {
  switch (event.type) {
    case "system":
      if (event.subtype === "permission_denied") {
        const message = typeof event.message === "string" ? event.message : null;
        return { kind: "denial", toolName: event.tool_name ?? null, reason: event.decision_reason ?? null, message };
      }
      return {
        kind: "system",
        subtype: event.subtype ?? null,
        sessionId: event.session_id ?? null,
        model: event.model ?? null,
        toolCount: Array.isArray(event.tools) ? event.tools.length : null,
      };
    case "assistant":
    case "user": {
      const message = typeof event.message === "string" ? undefined : event.message;
      const content = message?.content;
      const blocks =
        content === undefined
          ? null
          : typeof content === "string"
            ? [{ kind: "text" as const, text: content }]
            : content.map(toBlock);
      return { kind: "message", role: event.type, blocks, id: message?.id ?? null, usage: toUsage(message?.usage) };
    }
    case "result":
      return {
        kind: "result",
        subtype: event.subtype ?? null,
        isError: event.is_error ?? null,
        result: event.result ?? null,
        costUsd: event.total_cost_usd ?? null,
        turns: event.num_turns ?? null,
        durationMs: event.duration_ms ?? null,
        usage: toUsage(event.usage),
        sessionId: event.session_id ?? null,
      };
    default:
      return { kind: "other", type: event.type };
  }
}

function toUsage(usage: z.infer<typeof UsageSchema>): ClaudeUsage | null {
  if (!usage) return null;
  return {
    inputTokens: usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens,
    outputTokens: usage.output_tokens,
  };
}

function toBlock(part: z.infer<typeof ContentSchema>[number]): ClaudeBlock {
  switch (part.type) {
    case "text":
      return { kind: "text", text: part.text ?? "" };
    case "tool_use":
      return { kind: "tool-use", name: part.name ?? null, input: part.input };
    case "tool_result":
      return { kind: "tool-result", content: part.content, isError: part.is_error ?? false };
    default:
      return { kind: "other", type: part.type };
  }
}
