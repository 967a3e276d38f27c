import { createUsageMeter, parseClaudeStreamLine, parseCodexLine, type AgentUsage } from "@grove/core";
import { replayCapture } from "@grove/core/node";
import { join } from "node:path";
import { MAX_CLAUDE_EVENT_CHARS } from "../log/claude-stream.ts";
import type { RecordedUsage } from "./run-record.ts";
import { addTo } from "./session-spend.ts";

/**
 * What an agent that outlived its runner used in all, read again from the whole of its stdout capture (it
 * wrote on into it after the runner died, until the restarted runner stopped it); null when it reported nothing.
 */
export async function meterAgentCapture(captureDir: string): Promise<AgentUsage | null> {
  const meter = createUsageMeter();
  const from = { path: join(captureDir, "stdout.log"), offset: 0, lines: 0 };
  const onLine = (text: string) => {
    const claude = parseClaudeStreamLine(text);
    if (claude && claude.kind !== "other") meter.observeClaude(claude);
    else meter.observeCodex(parseCodexLine(text) ?? []);
  };
  const found = await replayCapture(from, { onLine, onRead: () => undefined }, MAX_CLAUDE_EVENT_CHARS);
  return found ? meter.usage(null) : null;
}

/** The run's recorded usage with what its agent used after the runner died counted too (never less than recorded). */
export function recountedUsage(
  record: { usage?: RecordedUsage | undefined; usageBefore?: RecordedUsage | undefined },
  whole: AgentUsage | null,
): RecordedUsage | undefined {
  if (!whole) return record.usage;
  const recounted = addTo(record.usageBefore ?? { tokensIn: 0, tokensOut: 0, costUsd: null }, whole);
  const recorded = record.usage;
  if (!recorded) return recounted;
  const isMore = recounted.tokensIn + recounted.tokensOut > recorded.tokensIn + recorded.tokensOut;
  return isMore || (recounted.costUsd ?? 0) > (recorded.costUsd ?? 0) ? recounted : recorded;
}
