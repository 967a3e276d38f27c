import { z } from "zod";
import { clampCount, clampUsd, type AgentUsage } from "./agent-usage.ts";
import type { CodexEvent } from "./codex-json.ts";

/** How an agent's stdout is written: Claude Code's stream-json, Codex's `--json`, or plain text. */
export type AgentOutputFormat = "claude-stream-json" | "codex-json" | "text";

const count = z.number().catch(0);
// A field a CLI printed as something other than a number (or as 1e400) counts as not reported.
const reportedNumber = z.number().optional().catch(undefined);
// Claude Code does not print `type` first in every event (its `result` ends with it).
const CLAUDE_USAGE_MARKS = ['"type":"system"', '"type":"assistant"', '"type":"result"'];
const ClaudeUsageSchema = z
  .looseObject({
    input_tokens: count.default(0),
    cache_creation_input_tokens: count.default(0),
    cache_read_input_tokens: count.default(0),
    output_tokens: count.default(0),
  })
  .optional()
  .catch(undefined);
const ClaudeLineSchema = z.looseObject({
  type: z.string(),
  subtype: z.string().optional(),
  session_id: z.string().optional().catch(undefined),
  total_cost_usd: reportedNumber,
  num_turns: reportedNumber,
  duration_ms: reportedNumber,
  usage: ClaudeUsageSchema,
  message: z.looseObject({ id: z.string().optional().catch(undefined), usage: ClaudeUsageSchema }).optional().catch(undefined),
});

export type UsageMeter = {
  /** One stdout line of a Claude Code stream-json run. */
  observeClaudeLine(line: string): void;
  /** The parsed events of one line of a Codex `--json` run (see parseCodexLine). */
  observeCodex(events: readonly CodexEvent[]): void;
  /** What the run used so far; null when its CLI reported nothing. `processMs` stands in for a duration it did not report. */
  usage(processMs: number | null): AgentUsage | null;
};

/**
 * Usage of one run, read off its output as it streams: a handful of numbers and one id, however long the
 * run. Claude Code states its totals once, in its final `result` event; Codex reports each turn's tokens.
 */
export function createUsageMeter(): UsageMeter {
  let reported = false;
  let tokensIn = 0;
  let tokensOut = 0;
  let costUsd: number | null = null;
  let turns: number | null = null;
  let durationMs: number | null = null;
  let agentSessionId: string | null = null;
  // Until Claude Code's `result` states the totals (a run cancelled or timed out never gets one), each model
  // message's usage as it starts: its input exact, its output only begun. A message's content blocks come as
  // events of their own with the same id; it counts once.
  let reportedFinal = false;
  let lastMessageId: string | null = null;
  const observeClaudeMessage = (message: z.infer<typeof ClaudeLineSchema>["message"]) => {
    if (!message?.usage || message.id === lastMessageId) return;
    lastMessageId = message.id ?? null;
    const usage = message.usage;
    reported = true;
    tokensIn = clampCount(tokensIn + usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens);
    tokensOut = clampCount(tokensOut + usage.output_tokens);
    turns = (turns ?? 0) + 1;
  };
  return {
    observeClaudeLine(line) {
      // Only these events carry usage; tool results (`user` events, often large) are skipped unparsed.
      if (!line.startsWith("{") || !CLAUDE_USAGE_MARKS.some((mark) => line.includes(mark))) return;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        return;
      }
      const parsed = ClaudeLineSchema.safeParse(raw);
      if (!parsed.success) return;
      const event = parsed.data;
      if (event.session_id && !agentSessionId) agentSessionId = event.session_id.slice(0, 200);
      if (event.type === "assistant" && !reportedFinal) {
        observeClaudeMessage(event.message);
        return;
      }
      if (event.type !== "result") return;
      reportedFinal = true;
      reported = true;
      const usage = event.usage;
      if (usage) {
        tokensIn = clampCount(usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens);
        tokensOut = clampCount(usage.output_tokens);
      }
      if (event.total_cost_usd !== undefined && event.total_cost_usd >= 0) costUsd = clampUsd(event.total_cost_usd);
      if (event.num_turns !== undefined) turns = clampCount(event.num_turns, 1_000_000);
      if (event.duration_ms !== undefined) durationMs = clampCount(event.duration_ms);
    },
    observeCodex(events) {
      for (const event of events) {
        if (event.kind === "thread" && !agentSessionId) agentSessionId = event.threadId;
        if (event.kind !== "usage") continue;
        // Codex reports each turn's usage; cached input is part of input and reasoning part of output,
        // as in the Responses API. A run may take several turns.
        reported = true;
        tokensIn = clampCount(tokensIn + event.usage.inputTokens);
        tokensOut = clampCount(tokensOut + event.usage.outputTokens);
        turns = (turns ?? 0) + 1;
      }
    },
    usage(processMs) {
      if (!reported && agentSessionId === null) return null;
      const duration = durationMs ?? (processMs === null ? null : clampCount(processMs));
      return { tokensIn, tokensOut, costUsd, turns, durationMs: duration, agentSessionId };
    },
  };
}
