import { QueueSnapshotSchema, type QueueSnapshot } from "@grove/core";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "../test-support/test-hub.ts";
import { closeQueueFixture, makeQueueFixture, startsIn, type QueueFixture } from "../test-support/queue-fixture.ts";

let fx: QueueFixture | undefined;
afterEach(async () => {
  await closeQueueFixture(fx);
  fx = undefined;
});

describe("the merge queue's snapshots (queue:snapshot)", () => {
  it("show each slot's candidate built on the one ahead, why the rest waits, and an ETA once a test ended", async () => {
    const snapshots: QueueSnapshot[] = [];
    const f = (fx = await makeQueueFixture(2, { onChange: (s) => snapshots.push(QueueSnapshotSchema.parse(s)) }));
    const start = await f.repo.git(["rev-parse", "main"]);
    const heads = [];
    for (const name of ["a", "b", "c", "d"]) heads.push({ name, head: (await f.branch(name)).head });
    const outcomes = heads.map((b) => f.land(b.name, b.head));
    await waitFor(async () => startsIn(await f.log()).length === 2, "two tests");
    const testing = await waitFor(
      () => snapshots.findLast((s) => s.entries.filter((e) => e.state === "testing").length === 2),
      "a snapshot of two slots",
    );
    const [a, b, c, d] = testing.entries;
    expect(testing).toMatchObject({ integration: "main", integrationSha: start, parallel: 2 });
    expect([a?.slot, b?.slot].sort()).toEqual([0, 1]);
    expect(a).toMatchObject({ branch: "agent/a/t", mergeRequestId: "mr-a", position: 0, baseSha: start, etaAt: null });
    expect(b?.baseSha).toBe(a?.candidateSha);
    expect(c).toMatchObject({ state: "waiting", slot: null, detail: "no free test slot (2 in use)" });
    expect(c?.baseSha).toBe(b?.candidateSha);
    expect(d?.baseSha).toBe(c?.candidateSha);
    expect(a?.testStartedAt).toEqual(expect.any(Number));

    await f.openGate("a");
    await f.openGate("b");
    // Once a test ended, every entry still queued has an ETA, in queue order.
    const later = await waitFor(
      () => snapshots.findLast((s) => s.entries.length > 0 && s.entries.every((e) => e.etaAt !== null)),
      "an ETA",
    );
    const etas = later.entries.map((e) => e.etaAt ?? 0);
    expect(etas).toEqual([...etas].sort((x, y) => x - y));
    await f.openGate();
    expect((await Promise.all(outcomes)).map((o) => o.kind)).toEqual(["merged", "merged", "merged", "merged"]);
    expect(snapshots.at(-1)?.entries).toEqual([]);
  });

  it("show a slot whose test waits for memory as waiting, with the reason, and no test running yet", async () => {
    const snapshots: QueueSnapshot[] = [];
    // More free memory than any machine has: the second test waits while the first runs.
    const f = (fx = await makeQueueFixture(
      2,
      { onChange: (s) => snapshots.push(QueueSnapshotSchema.parse(s)) },
      `admission:\n  minFreeMemoryMb: ${16 * 1024 * 1024}\n`,
    ));
    const heads = [];
    for (const name of ["a", "b"]) heads.push({ name, head: (await f.branch(name)).head });
    const outcomes = heads.map((b) => f.land(b.name, b.head));
    await waitFor(async () => startsIn(await f.log()).length === 1, "the first test, started anyway");
    const held = await waitFor(
      () => snapshots.findLast((s) => s.entries[1]?.slot !== null && s.entries[1]?.detail !== undefined),
      "a snapshot of the second slot waiting for memory",
    );
    expect(held.entries[0]?.state).toBe("testing");
    expect(held.entries[0]?.testStartedAt).toEqual(expect.any(Number));
    expect(held.entries[1]).toMatchObject({ state: "waiting", testStartedAt: null });
    expect(held.entries[1]?.detail).toMatch(/^waiting for memory: .+ free, .+ wanted/);
    expect(startsIn(await f.log())).toHaveLength(1);

    await f.openGate();
    expect((await Promise.all(outcomes)).map((o) => o.kind)).toEqual(["merged", "merged"]);
  });
});
