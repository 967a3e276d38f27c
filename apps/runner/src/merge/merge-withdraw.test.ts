import { describe, expect, it } from "vitest";
import { createMergeQueue } from "./merge-queue.ts";
import { createWithdrawals, MergeWithdrawnError } from "./merge-withdraw.ts";

/** A job that runs until released, so a test holds the queue's head. */
function heldJob() {
  let release = () => undefined as void;
  const done = new Promise<void>((resolve) => (release = resolve));
  let started = false;
  return { job: () => ((started = true), done.then(() => "done")), release: () => release(), hasStarted: () => started };
}

describe("withdrawing a queued merge", () => {
  it("skips a withdrawn merge when its turn comes, and refuses to withdraw one that started", async () => {
    const queue = createMergeQueue();
    const withdrawals = createWithdrawals();
    const head = heldJob();
    const running = withdrawals.guard("a", queue).run("k", head.job);
    const waiting = heldJob();
    const queued = withdrawals.guard("b", queue).run("k", waiting.job);
    // The queue starts its head job on a later turn of the event loop.
    while (!head.hasStarted()) await Promise.resolve();

    expect(withdrawals.withdraw("a")).toEqual({ ok: false, error: "the runner has started this merge" });
    expect(withdrawals.withdraw("b")).toEqual({ ok: true });
    head.release();
    await expect(running).resolves.toBe("done");
    await expect(queued).rejects.toBeInstanceOf(MergeWithdrawnError);
    expect(waiting.hasStarted()).toBe(false);
  });

  it("lets a merge approved again while it still waited go ahead in its place", async () => {
    const queue = createMergeQueue();
    const withdrawals = createWithdrawals();
    const head = heldJob();
    const running = withdrawals.guard("a", queue).run("k", head.job);
    const queued = withdrawals.guard("b", queue).run("k", () => Promise.resolve("landed"));
    expect(withdrawals.withdraw("b")).toEqual({ ok: true });
    withdrawals.revive("b");
    head.release();
    await running;
    await expect(queued).resolves.toBe("landed");
  });
});
