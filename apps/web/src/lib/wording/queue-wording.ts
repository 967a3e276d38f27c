import type { QueueEntry, QueueEntryState, QueueSnapshot } from "@grove/core";

const ENTRY_STATE_LABELS: Record<QueueEntryState, string> = {
  waiting: "waiting",
  testing: "testing",
  passed: "passed, lands next",
  landing: "landing",
};

export function queueEntryStateLabel(state: QueueEntryState): string {
  return ENTRY_STATE_LABELS[state];
}

export const shortSha = (sha: string) => sha.slice(0, 10);

/**
 * What a candidate was built on, as a person follows the queue: the integration branch itself, or the
 * candidate of the entry ahead of it (a speculative build: it only counts if that one lands).
 */
export function candidateBase(
  entry: Pick<QueueEntry, "baseSha">,
  queue: Pick<QueueSnapshot, "integration" | "integrationSha"> & { entries: Pick<QueueEntry, "branch" | "candidateSha">[] },
): string | null {
  const { baseSha } = entry;
  if (baseSha === null) return null;
  if (baseSha === queue.integrationSha) return `on ${queue.integration} ${shortSha(baseSha)}`;
  const ahead = queue.entries.find((e) => e.candidateSha === baseSha);
  return ahead ? `on ${ahead.branch}'s candidate ${shortSha(baseSha)}` : `on ${shortSha(baseSha)}`;
}

/** Why an entry is not being tested yet: the runner's own reason when it gave one. */
export function waitingReason(entry: Pick<QueueEntry, "state" | "detail">, parallel: number): string | null {
  if (entry.detail) return entry.detail;
  if (entry.state !== "waiting") return null;
  return parallel === 1 ? "waiting for the test slot" : `waiting for one of the ${parallel} test slots`;
}

/** "lands in about 3 min", from the runner's estimate; no estimate is said, not guessed. */
export function etaText(etaAt: number | null, now: number): string {
  if (etaAt === null) return "no estimate yet";
  const ms = etaAt - now;
  if (ms <= 15_000) return "lands any moment";
  if (ms < 60_000) return "lands in under a minute";
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `lands in about ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `lands in about ${hours} h ${minutes % 60} min`;
}
