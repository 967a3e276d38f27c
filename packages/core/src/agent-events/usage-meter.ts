import { clampCount, clampUsd, type AgentUsage } from "./agent-usage.ts";
import type { ClaudeStreamEvent } from "./claude-stream.ts";
import type { CodexEvent } from "./codex-json.ts";

/** How an agent's stdout is written: Claude Code's stream-json, Codex's `--json`, or plain text. */
export type AgentOutputFormat = "claude-stream-json" | "codex-json" | "text";

export type UsageMeter = {
  /** One event of a Claude Code stream-json run (see parseClaudeStreamLine). */
  observeClaude(event: ClaudeStreamEvent): void;
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
  const observeClaudeMessage = (event: Extract<ClaudeStreamEvent, { kind: "message" }>) => {
    if (event.role !== "assistant" || !event.usage || event.id === lastMessageId) return;
    lastMessageId = event.id;
    reported = true;
    tokensIn = clampCount(tokensIn + event.usage.inputTokens);
    tokensOut = clampCount(tokensOut + event.usage.outputTokens);
    turns = (turns ?? 0) + 1;
  };
  return {
    observeClaude(event) {
      if (event.kind === "system" || event.kind === "result") agentSessionId ??= event.sessionId?.slice(0, 200) || null;
      if (event.kind === "message" && !reportedFinal) observeClaudeMessage(event);
      if (event.kind !== "result") return;
      reportedFinal = true;
      reported = true;
      if (event.usage) {
        tokensIn = clampCount(event.usage.inputTokens);
        tokensOut = clampCount(event.usage.outputTokens);
      }
      if (event.costUsd !== null && event.costUsd >= 0) costUsd = clampUsd(event.costUsd);
      if (event.turns !== null) turns = clampCount(event.turns, 1_000_000);
      if (event.durationMs !== null) durationMs = clampCount(event.durationMs);
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
