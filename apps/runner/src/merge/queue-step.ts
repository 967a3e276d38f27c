import { describeError, type MergedTreeTest, type MergeOutcome } from "@grove/core";
import type { QueueCandidate } from "@grove/core/node";
import { failureOf, type KeyedQueue, type QueueItem } from "./queue-types.ts";

const RECENT_DURATIONS = 10;

/**
 * One pass over a queue: land (or finally fail) what is judged at the front, rebuild every candidate whose
 * base is no longer what the entries ahead make it, and start tests in free slots, in queue order.
 * `kick` asks for another pass (a test ended). Passes of one queue never overlap (merge-queue.ts).
 */
export type StepHooks = {
  /** Another pass, please (a test ended). */
  kick: () => void;
  /** A test printed a line (for the snapshot's progress; throttled by the caller). */
  progress: () => void;
  log: (line: string) => void;
  /** A landing was refused by the queue's lease fence: this runner is no longer the queue's owner. */
  fenced: () => void;
};

export async function stepQueue(q: KeyedQueue, hooks: StepHooks): Promise<void> {
  const first = q.items[0];
  if (!first) return;
  q.head = await first.job.integrationHead();
  if ((await settleFront(q)) === "fenced") return hooks.fenced();
  await rebuildChain(q);
  // A front entry judged just now (a conflict on the real head, say) is settled by the next pass.
  const front = q.items[0];
  if (front?.built && front.built.base === q.head && !front.run && (failureOf(front) || front.passed)) hooks.kick();
  startTests(q, hooks);
}

/**
 * The front entry is judged against the real base: everything ahead of it landed, and its candidate was built
 * on the integration head. Only then is a failure final, and only then does a passed candidate land.
 */
async function settleFront(q: KeyedQueue): Promise<"fenced" | void> {
  for (let item = q.items[0]; item; item = q.items[0]) {
    if (!item.built || item.built.base !== q.head || item.run) return;
    const failure = failureOf(item);
    if (failure) {
      drop(q, item);
      item.settle(failure);
      continue;
    }
    if (!item.passed || item.built.result.kind !== "built") return;
    const candidate = item.built.result.candidate;
    item.landing = true;
    item.job.onStage("advancing");
    const landed = await item.job
      .land(candidate, item.passed)
      .catch((error: unknown): MergeOutcome => ({ kind: "refused", reason: `unexpected error: ${describeError(error)}` }));
    item.landing = false;
    if (landed === "fenced") return "fenced";
    if (landed === "base-moved") {
      q.head = await item.job.integrationHead();
      return;
    }
    drop(q, item);
    if (landed.kind === "merged") q.head = candidate.sha;
    item.settle(landed);
  }
}

/**
 * Entry k's base is the candidate of the nearest entry ahead that may still land (one judged failed on a
 * speculative base is skipped: it is judged again on the real base), or the integration head. A candidate
 * built on anything else is dropped (its test aborted) and built again.
 */
async function rebuildChain(q: KeyedQueue): Promise<void> {
  let base = q.head;
  for (const item of [...q.items]) {
    if (item.landing) return;
    if (item.built && item.built.base !== base) dropCandidate(item);
    if (!item.built) {
      const generation = item.generation;
      item.job.onStage("building", base === q.head ? undefined : `on the candidate of the entry ahead (${base?.slice(0, 12)})`);
      const result = await item.job.build(base).catch((error: unknown) => ({
        kind: "judged" as const,
        outcome: { kind: "refused" as const, reason: `unexpected error: ${describeError(error)}` },
      }));
      // Withdrawn, put first or dropped meanwhile: the next pass builds again from the new order.
      if (item.generation !== generation || !q.items.includes(item)) return;
      item.built = { base, result };
      if (result.kind === "judged" && base !== q.head) item.job.onStage("queued", "judged again once the entries ahead landed");
    }
    if (item.built.result.kind === "built" && failureOf(item) === null) base = item.built.result.candidate.sha;
  }
}

function startTests(q: KeyedQueue, hooks: StepHooks): void {
  for (const item of q.items) {
    if (q.slotsInUse.size >= q.parallel) return;
    if (item.run || item.passed || item.landing || failureOf(item) || item.built?.result.kind !== "built") continue;
    startTest(q, item, item.built.result.candidate, hooks);
  }
}

function startTest(q: KeyedQueue, item: QueueItem, candidate: QueueCandidate, { kick, progress, log }: StepHooks) {
  let slot = 0;
  while (q.slotsInUse.has(slot)) slot++;
  q.slotsInUse.add(slot);
  const run = { abort: new AbortController(), startedAt: Date.now(), lines: 0, slot, waiting: null as string | null };
  const generation = item.generation;
  item.run = run;
  item.job.onStage("testing", `on the candidate ${candidate.sha.slice(0, 12)} (slot ${slot + 1} of ${q.parallel})`);
  const test: Promise<unknown> = item.job
    .test(
      candidate,
      run.abort.signal,
      () => {
        run.lines++;
        progress();
      },
      (reason) => {
        // Admitted: the test really starts now, and its progress and ETA count from here.
        if (reason === null && run.waiting !== null) run.startedAt = Date.now();
        run.waiting = reason;
        progress();
      },
    )
    .then(
      (test) => {
        if (item.generation !== generation) return;
        if (test.command !== null) rememberDuration(q, test.durationMs);
        if (test.status !== "failed") item.passed = test;
        // grove could not make the tree (a checkout, a submodule, its checks): no verdict on the candidate.
        else if (test.step === "prepare") item.failed = { kind: "refused", reason: notPrepared(test) };
        else item.failed = { kind: "tests_failed", candidateSha: candidate.sha, integrationSha: candidate.base, test };
      },
      (error: unknown) => {
        if (item.generation !== generation) return;
        log(`merged-tree test of ${item.job.branch} failed to run: ${describeError(error)}`);
        item.failed = { kind: "refused", reason: `the merged-tree test could not run: ${describeError(error)}` };
      },
    )
    .finally(() => {
      if (item.run === run) item.run = null;
      q.slotsInUse.delete(slot);
      q.tests.delete(test);
      kick();
    });
  q.tests.add(test);
}

/** Forgets an entry's candidate and verdict; a test still running on it is aborted (its process group killed). */
export function dropCandidate(item: QueueItem): void {
  item.generation++;
  item.run?.abort.abort("its candidate is stale");
  item.run = null;
  item.built = null;
  item.passed = null;
  item.failed = null;
}

/** The queue went to another runner: every entry not landing leaves it, with `error`, and no outcome of its own. */
export function abandonQueue(q: KeyedQueue, error: Error): void {
  for (const item of [...q.items]) {
    if (item.landing) continue;
    dropCandidate(item);
    drop(q, item);
    item.withdraw(error);
  }
}

export function drop(q: KeyedQueue, item: QueueItem): void {
  const at = q.items.indexOf(item);
  if (at >= 0) q.items.splice(at, 1);
}

function rememberDuration(q: KeyedQueue, ms: number): void {
  q.durations.push(ms);
  if (q.durations.length > RECENT_DURATIONS) q.durations.shift();
}

function notPrepared(test: MergedTreeTest): string {
  const why = test.outputTail.trim().split("\n").at(-1)?.slice(0, 300) ?? "";
  return `grove could not prepare the merged tree for its test (${test.command ?? "preparing"}${why ? `: ${why}` : ""}); nothing was tested.`;
}
