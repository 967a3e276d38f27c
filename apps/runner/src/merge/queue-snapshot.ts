import { MAX_QUEUE_ENTRIES, type QueueEntry, type QueueSnapshot } from "@grove/core";
import { failureOf, type KeyedQueue, type QueueItem } from "./queue-types.ts";

/**
 * The queue as it is (`queue:snapshot`): every entry's state, slot, candidate and base, test progress, why it
 * waits, and an ETA from the recent test durations (none until one test of this queue ended).
 */
export function queueSnapshot(q: KeyedQueue, now: number): QueueSnapshot {
  const typical = average(q.durations);
  let waitingAhead = 0;
  let previousEta = now;
  const entries = q.items.slice(0, MAX_QUEUE_ENTRIES).map((item, position): QueueEntry => {
    const state = stateOf(item);
    let etaAt: number | null = null;
    if (typical !== null) {
      const ownEnd =
        state === "testing" && item.run
          ? Math.max(now, item.run.startedAt + typical)
          : state === "waiting"
            ? now + typical * (1 + Math.floor(waitingAhead++ / q.parallel))
            : now;
      etaAt = Math.round(Math.max(previousEta, ownEnd));
      previousEta = etaAt;
    }
    const candidate = item.built?.result.kind === "built" ? item.built.result.candidate : null;
    const detail = detailOf(q, item, state);
    return {
      ...(item.job.mergeRequestId ? { mergeRequestId: item.job.mergeRequestId } : {}),
      ...(item.job.runId ? { runId: item.job.runId } : {}),
      branch: item.job.branch,
      headSha: item.job.headSha,
      position,
      state,
      prioritized: item.prioritized,
      slot: item.run?.slot ?? null,
      candidateSha: candidate?.sha ?? null,
      baseSha: item.built?.base ?? null,
      testStartedAt: item.run && item.run.waiting === null ? item.run.startedAt : null,
      testLines: item.run?.lines ?? 0,
      etaAt,
      ...(detail ? { detail } : {}),
    };
  });
  return { repoPath: q.repoPath, integration: q.integration, integrationSha: q.head, parallel: q.parallel, at: now, entries };
}

function stateOf(item: QueueItem): QueueEntry["state"] {
  if (item.landing) return "landing";
  if (item.run) return item.run.waiting === null ? "testing" : "waiting";
  if (item.passed) return "passed";
  return "waiting";
}

function detailOf(q: KeyedQueue, item: QueueItem, state: QueueEntry["state"]): string | undefined {
  if (state === "passed") return "passed; lands once everything ahead of it landed";
  if (state !== "waiting") return undefined;
  if (item.run?.waiting) return item.run.waiting;
  const failure = failureOf(item);
  if (failure) return `${failure.kind} on a speculative base; judged again once everything ahead of it landed`;
  if (item.built === null) return "its candidate is being built";
  if (q.slotsInUse.size >= q.parallel) return `no free test slot (${q.parallel} in use)`;
  return "waiting for the merged-tree test to start";
}

function average(values: number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}
