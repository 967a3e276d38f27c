import { isPidAlive } from "@grove/core/node";
import { exists } from "@grove/core/test-support";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../test-support/test-hub.ts";
import { closeQueueFixture, makeQueueFixture, startsIn, type QueueFixture } from "../test-support/queue-fixture.ts";
import { MergeWithdrawnError } from "./merge-withdraw.ts";

let fx: QueueFixture | undefined;
afterEach(async () => {
  await closeQueueFixture(fx);
  fx = undefined;
});

/** Every commit on main's first-parent line since `since` is one whose own tree a test run saw pass. */
async function expectEveryLandedTreePassed(f: QueueFixture, since: string) {
  const passed = await f.passedTrees();
  const line = await f.firstParents();
  const landed = line.slice(
    0,
    line.findIndex((c) => c.sha === since),
  );
  expect(landed.length).toBeGreaterThan(0);
  for (const commit of landed) expect(passed.has(commit.tree), `${commit.sha} (tree ${commit.tree})`).toBe(true);
  // ...and every commit main itself ever pointed to since then.
  const reflog = (await f.repo.git(["reflog", "--format=%H", "main"])).split("\n");
  for (const sha of reflog.slice(0, reflog.indexOf(since))) {
    expect(passed.has(await f.repo.git(["rev-parse", `${sha}^{tree}`])), sha).toBe(true);
  }
}

const secondParents = async (f: QueueFixture, since: string) => {
  const line = await f.firstParents();
  return line
    .slice(
      0,
      line.findIndex((c) => c.sha === since),
    )
    .map((c) => c.parents[1])
    .reverse();
};

describe("the speculative merge queue", () => {
  it("tests three candidates at once; of five, the failing middle one is dropped and the rest land in order", async () => {
    const f = (fx = await makeQueueFixture(3));
    const start = await f.repo.git(["rev-parse", "main"]);
    const heads = [];
    for (const [name, fail] of [
      ["b1", false],
      ["b2", false],
      ["b3", true],
      ["b4", false],
      ["b5", false],
    ] as const)
      heads.push({ name, head: (await f.branch(name, { fail })).head });
    const outcomes = heads.map((b) => f.land(b.name, b.head));
    // Three tests run at the same time (the gate is still closed): b1, b1+b2, b1+b2+b3.
    await waitFor(async () => startsIn(await f.log()).length === 3, "three tests at once");
    expect(
      startsIn(await f.log())
        .map((s) => s.parts.filter((p) => p !== "base.json").join("+"))
        .sort(),
    ).toEqual(["b1.json", "b1.json+b2.json", "b1.json+b2.json+b3.json"]);
    await f.openGate();
    const results = await Promise.all(outcomes);

    expect(results.map((r) => r.kind)).toEqual(["merged", "merged", "tests_failed", "merged", "merged"]);
    expect(await secondParents(f, start)).toEqual([heads[0]?.head, heads[1]?.head, heads[3]?.head, heads[4]?.head]);
    const failed = results[2];
    // Judged on the real base: b1 and b2 landed, and nothing else.
    expect(failed?.kind === "tests_failed" && failed.integrationSha).toBe((await f.firstParents())[2]?.sha);
    await expectEveryLandedTreePassed(f, start);
    expect(await f.repo.git(["branch", "--list", "--format=%(refname:short)", "agent/*"])).toBe("agent/b3/t");
  });

  it("puts a waiting request first when an approver asks; the test it overtook is aborted and its process killed", async () => {
    const f = (fx = await makeQueueFixture(1));
    const start = await f.repo.git(["rev-parse", "main"]);
    const a = await f.branch("a");
    const b = await f.branch("b");
    const c = await f.branch("c");
    const outcomes = [f.land("a", a.head), f.land("b", b.head), f.land("c", c.head)];
    const first = await waitFor(async () => startsIn(await f.log())[0], "a's test");
    expect(f.queue.prioritize("mr-nope")).toMatchObject({ ok: false });
    expect(f.queue.prioritize("mr-c")).toEqual({ ok: true });
    await waitFor(() => !isPidAlive(first.pid), "the overtaken test's process to end");
    expect(f.queue.snapshots()[0]?.entries.map((e) => [e.branch, e.prioritized])).toEqual([
      ["agent/c/t", true],
      ["agent/a/t", false],
      ["agent/b/t", false],
    ]);
    await f.openGate();
    expect((await Promise.all(outcomes)).map((o) => o.kind)).toEqual(["merged", "merged", "merged"]);
    expect(await secondParents(f, start)).toEqual([c.head, a.head, b.head]);
    // The hub audits the put-first with who asked (merge-prioritize.ts): one event, none from the runner.
    expect(f.audits.filter((r) => String(r.action) === "merge.prioritized")).toEqual([]);
    await expectEveryLandedTreePassed(f, start);
  });

  it("puts a request being tested first: its test is aborted and it is tested again on the real head; the front one cannot move", async () => {
    const f = (fx = await makeQueueFixture(2));
    const start = await f.repo.git(["rev-parse", "main"]);
    const a = await f.branch("a");
    const b = await f.branch("b");
    const c = await f.branch("c");
    const outcomes = [f.land("a", a.head), f.land("b", b.head), f.land("c", c.head)];
    const onA = await waitFor(
      async () => startsIn(await f.log()).find((s) => s.parts.includes("b.json")),
      "b's test on a's candidate",
    );
    expect(f.queue.snapshots()[0]?.entries.map((e) => e.state)).toEqual(["testing", "testing", "waiting"]);
    expect(f.queue.prioritize("mr-a")).toEqual({
      ok: false,
      error: "merge request mr-a cannot be put first: it is first already",
    });
    expect(f.queue.prioritize("mr-b")).toEqual({ ok: true });
    await waitFor(() => !isPidAlive(onA.pid), "the test of b on a's candidate to end");
    await waitFor(
      async () => startsIn(await f.log()).some((s) => s.parts.includes("b.json") && !s.parts.includes("a.json")),
      "b tested alone on main",
    );
    await f.openGate();
    expect((await Promise.all(outcomes)).map((o) => o.kind)).toEqual(["merged", "merged", "merged"]);
    expect(await secondParents(f, start)).toEqual([b.head, a.head, c.head]);
    await expectEveryLandedTreePassed(f, start);
  });

  it("rebuilds every candidate when someone else moves the integration branch mid-test", async () => {
    const f = (fx = await makeQueueFixture(2));
    const start = await f.repo.git(["rev-parse", "main"]);
    const a = await f.branch("a");
    const b = await f.branch("b");
    const outcomes = [f.land("a", a.head), f.land("b", b.head)];
    await waitFor(async () => startsIn(await f.log()).length === 2, "both tests");
    await f.repo.write({ "NOTES.md": "by hand\n" });
    await f.repo.git(["add", "NOTES.md"]);
    await f.repo.git(["commit", "-q", "-m", "by hand"]);
    const byHand = await f.repo.git(["rev-parse", "main"]);
    await f.openGate();
    expect((await Promise.all(outcomes)).map((o) => o.kind)).toEqual(["merged", "merged"]);
    expect(await secondParents(f, byHand)).toEqual([a.head, b.head]);
    await expectEveryLandedTreePassed(f, byHand);
    expect((await f.firstParents()).map((c) => c.sha)).toContain(start);
  });

  it("does not blame a conflict on a request when only the failing request ahead of it caused it", async () => {
    const f = (fx = await makeQueueFixture(2));
    const bad = await f.branch("bad", { fail: true, extra: { "shared.txt": "bad\n" } });
    const good = await f.branch("good", { extra: { "shared.txt": "good\n" } });
    await f.openGate();
    const [first, second] = await Promise.all([f.land("bad", bad.head), f.land("good", good.head)]);
    expect(first?.kind).toBe("tests_failed");
    expect(second?.kind).toBe("merged");
    expect(await f.repo.git(["show", "main:shared.txt"])).toBe("good");
    expect(f.audits.some((r) => r.action === "merge.conflict")).toBe(false);
  });

  it("withdraws a request while it waits and while it is tested (its test process killed); the rest lands", async () => {
    const f = (fx = await makeQueueFixture(1));
    const start = await f.repo.git(["rev-parse", "main"]);
    const a = await f.branch("a");
    const b = await f.branch("b");
    const c = await f.branch("c");
    const [la, lb, lc] = [f.land("a", a.head), f.land("b", b.head), f.land("c", c.head)];
    const testing = await waitFor(async () => startsIn(await f.log())[0], "a's test");
    expect(f.queue.withdraw("mr-b")).toEqual({ ok: true });
    await expect(lb).rejects.toBeInstanceOf(MergeWithdrawnError);
    expect(f.queue.withdraw("mr-a")).toEqual({ ok: true });
    await expect(la).rejects.toBeInstanceOf(MergeWithdrawnError);
    await waitFor(() => !isPidAlive(testing.pid), "the withdrawn test's process to end");
    await f.openGate();
    expect(await lc).toMatchObject({ kind: "merged" });
    expect(await secondParents(f, start)).toEqual([c.head]);
    await expectEveryLandedTreePassed(f, start);
  });

  it("reports a real conflict with the integration head at once", async () => {
    const f = (fx = await makeQueueFixture(2));
    const clash = await f.branch("clash", { extra: { "README.md": "# theirs\n" } });
    const fine = await f.branch("fine");
    await f.repo.write({ "README.md": "# ours\n" });
    await f.repo.git(["commit", "-qam", "ours"]);
    const ours = await f.repo.git(["rev-parse", "main"]);
    await f.openGate();
    // Alone in the queue: nothing else would make it take another look.
    expect(await f.land("clash", clash.head)).toEqual({ kind: "conflict", files: ["README.md"] });
    // No half-merge anywhere: main, its checkout and the branch are as they were, and nothing was tested.
    expect(await f.repo.git(["rev-parse", "main"])).toBe(ours);
    expect(await f.repo.git(["status", "--porcelain"])).toBe("");
    expect(await exists(join(f.repo.dir, ".git", "MERGE_HEAD"))).toBe(false);
    expect(await readFile(join(f.repo.dir, "README.md"), "utf8")).toBe("# ours\n");
    expect(await f.repo.git(["rev-parse", "agent/clash/t"])).toBe(clash.head);
    expect(startsIn(await f.log())).toEqual([]);
    expect((await f.land("fine", fine.head)).kind).toBe("merged");
  });
});
