import { z } from "zod";

/**
 * `codex exec --json` output, one JSON object a line (checked against Codex 0.169.0), as typed events.
 * Tool calls keep their input (the command, the files changed) and their outcome (output, exit code);
 * a line that is not one of these events is `null`, and the caller keeps it as plain text.
 */
export type CodexEvent =
  | { kind: "thread"; threadId: string }
  | { kind: "turn-started" }
  | { kind: "message"; text: string }
  | { kind: "reasoning"; text: string }
  | { kind: "tool-started"; id: string; tool: string; input: string }
  | { kind: "tool-completed"; id: string; tool: string; input: string; output: string; exitCode: number | null; isError: boolean }
  | { kind: "error"; message: string }
  /** The turn ended in failure (the model API refused, the connection broke): the run's end, not its answer. */
  | { kind: "turn-failed"; message: string }
  | { kind: "usage"; usage: CodexUsage }
  /** An action codex refused the agent (a tool call it declined), in the shape of Claude's permission denials. */
  | { kind: "denial"; toolName: string | null; reason: string | null; message: string | null };
export type CodexUsage = { inputTokens: number; cachedInputTokens: number; outputTokens: number; reasoningOutputTokens: number };

/**
 * Text fields are cut here: an agent's command output can be megabytes, an event stays small. The agent's own
 * messages are kept whole (as Claude's are): they are its answer, bounded by the line the reader hands over.
 */
export const MAX_CODEX_TEXT = 8_000;

const count = z.number().int().nonnegative().catch(0);
const UsageSchema = z.looseObject({
  input_tokens: count.default(0),
  cached_input_tokens: count.default(0),
  output_tokens: count.default(0),
  reasoning_output_tokens: count.default(0),
});
const ItemSchema = z.looseObject({
  id: z.string().catch(""),
  type: z.string(),
  text: z.string().optional(),
  message: z.string().optional(),
  command: z.string().optional(),
  aggregated_output: z.string().optional(),
  exit_code: z.number().int().nullable().optional(),
  status: z.string().optional(),
  changes: z.array(z.looseObject({ path: z.string().optional(), kind: z.string().optional() })).optional(),
  server: z.string().optional(),
  tool: z.string().optional(),
  // An MCP tool call's arguments, and its outcome: what the server answered, or why the call failed.
  arguments: z.unknown().optional(),
  result: z
    .looseObject({ content: z.array(z.looseObject({ text: z.string().optional() })).optional() })
    .nullable()
    .optional()
    .catch(undefined),
  error: z.looseObject({ message: z.string().optional() }).nullable().optional().catch(undefined),
  query: z.string().optional(),
});
const LineSchema = z.looseObject({
  type: z.string(),
  thread_id: z.string().optional(),
  item: ItemSchema.optional(),
  usage: UsageSchema.optional(),
  message: z.string().optional(),
  error: z.looseObject({ message: z.string().optional() }).optional(),
});
type Item = z.infer<typeof ItemSchema>;

/**
 * Under `codex exec`'s approval policy "never" (its default, and the built-in profile's), a model's request to
 * run a command outside the sandbox is refused before anything runs, with no --json event at all: only codex's
 * own log line on stderr says so ("… codex_core::tools::router: error=approval policy is Never; reject command
 * — you cannot ask for escalated permissions …", Codex 0.169.0). It names no command.
 */
const ESCALATION_REFUSED = /codex_core::tools::router: error=(approval policy is never; reject command\b.{0,300})/i;

/** A denial in one stderr line of `codex exec`; null for any other line. */
export function parseCodexStderrLine(line: string): CodexEvent | null {
  const refused = ESCALATION_REFUSED.exec(line.slice(0, 2_000));
  if (!refused) return null;
  return { kind: "denial", toolName: "shell", reason: "asked to run outside its sandbox", message: cut(refused[1] ?? "", 300) };
}

/** The events of one stdout line of `codex exec --json`; null when the line is not such an event. */
export function parseCodexLine(line: string): CodexEvent[] | null {
  if (!line.startsWith("{")) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = LineSchema.safeParse(raw);
  if (!parsed.success) return null;
  const event = parsed.data;
  switch (event.type) {
    case "thread.started":
      return event.thread_id ? [{ kind: "thread", threadId: cut(event.thread_id, 200) }] : [];
    case "turn.started":
      return [{ kind: "turn-started" }];
    case "turn.completed":
      return event.usage ? [{ kind: "usage", usage: toUsage(event.usage) }] : [];
    case "turn.failed":
      return [{ kind: "turn-failed", message: readableError(event.error?.message ?? event.message ?? "the turn failed") }];
    case "error":
      return [{ kind: "error", message: readableError(event.error?.message ?? event.message ?? "codex reported an error") }];
    case "item.started":
      return event.item ? itemStarted(event.item) : [];
    case "item.completed":
      return event.item ? itemCompleted(event.item) : [];
    default:
      return null;
  }
}

function itemStarted(item: Item): CodexEvent[] {
  const tool = toolOf(item);
  return tool ? [{ kind: "tool-started", id: cut(item.id, 200), ...tool }] : [];
}

function itemCompleted(item: Item): CodexEvent[] {
  switch (item.type) {
    case "agent_message":
      return [{ kind: "message", text: item.text ?? "" }];
    case "reasoning":
      return [{ kind: "reasoning", text: cut(item.text ?? "") }];
    case "error":
      return [{ kind: "error", message: cut(item.message ?? "") }];
  }
  const tool = toolOf(item);
  if (!tool) return [];
  const exitCode = item.exit_code ?? null;
  const isError = item.status === "failed" || item.status === "declined" || (exitCode !== null && exitCode !== 0);
  const completed: CodexEvent = {
    kind: "tool-completed",
    id: cut(item.id, 200),
    ...tool,
    output: cut(item.aggregated_output ?? item.error?.message ?? mcpAnswer(item) ?? item.message ?? ""),
    exitCode,
    isError,
  };
  // "declined": codex's approval (a person's, or --approve-for-me's review) refused the call, which never ran.
  // A command its sandbox stopped is only "failed" with the OS's words in its output, like any failed command.
  if (item.status !== "declined") return [completed];
  return [completed, { kind: "denial", toolName: tool.tool, reason: "declined by codex's approval", message: tool.input }];
}

/** The tool a work item stands for, and its input in words; null for an item that is no tool call. */
function toolOf(item: Item): { tool: string; input: string } | null {
  switch (item.type) {
    case "command_execution":
      return { tool: "shell", input: cut(item.command ?? "") };
    case "file_change":
      return { tool: "edit", input: cut((item.changes ?? []).map((c) => `${c.kind ?? "change"} ${c.path ?? "?"}`).join(", ")) };
    case "mcp_tool_call":
      return { tool: cut(`${item.server ?? "mcp"}.${item.tool ?? "?"}`, 200), input: cut(JSON.stringify(item.arguments ?? {})) };
    case "web_search":
      return { tool: "web_search", input: cut(item.query ?? "") };
    default:
      return null;
  }
}

/**
 * Codex passes a model API's error on as the API's JSON body (`{"error":{"message":…}}`): its message is what
 * a person reads. Any other text stays as it is.
 */
function readableError(message: string): string {
  try {
    const body = ErrorBodySchema.safeParse(JSON.parse(message));
    if (body.success) return cut(body.data.error.message);
  } catch {
    // not JSON: the message is the text
  }
  return cut(message);
}
const ErrorBodySchema = z.object({ error: z.looseObject({ message: z.string() }) });

/** The text an MCP server answered with; undefined when it answered none. */
function mcpAnswer(item: Item): string | undefined {
  const texts = (item.result?.content ?? []).flatMap((block) => (block.text === undefined ? [] : [block.text]));
  return texts.length === 0 ? undefined : texts.join("\n");
}

function toUsage(usage: z.infer<typeof UsageSchema>): CodexUsage {
  return {
    inputTokens: usage.input_tokens,
    cachedInputTokens: usage.cached_input_tokens,
    outputTokens: usage.output_tokens,
    reasoningOutputTokens: usage.reasoning_output_tokens,
  };
}

function cut(text: string, max = MAX_CODEX_TEXT): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
