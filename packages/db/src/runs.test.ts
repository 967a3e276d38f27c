import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client.ts";
import { applyReportedRunState, recordReportedRunState } from "./runs.ts";
import { makeTempDb } from "./test-support/temp-db.ts";
import { seedRun } from "./test-support/seed-run.ts";

let db: Db;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ db, cleanup } = await makeTempDb());
});
afterAll(() => cleanup());

const read = (id: string) => db.run.findUniqueOrThrow({ where: { id } });

describe("run repository", () => {
  it("records the runner's steps: started when it first runs, ended at its end", async () => {
    const { runId } = await seedRun(db);
    expect((await read(runId)).state).toBe("queued");
    await recordReportedRunState(db, { runId, state: "preparing", at: 1_000 });
    expect(
      await recordReportedRunState(db, {
        runId,
        state: "running",
        at: 2_000,
        worktreePath: "/wt",
        baseSha: "c".repeat(40),
      }),
    ).toEqual({ kind: "applied", state: "running" });
    await recordReportedRunState(db, { runId, state: "succeeded", at: 3_000 });
    expect(await read(runId)).toMatchObject({
      state: "succeeded",
      worktreePath: "/wt",
      startedAt: new Date(2_000),
      endedAt: new Date(3_000),
    });
  });

  it("keeps why a run waits while it does, and clears it with the next report that says nothing of it", async () => {
    const { runId } = await seedRun(db);
    const waiting = "waiting for memory: 1.1 GB free, 2.0 GB wanted (1.0 GB expected + 1.0 GB kept free)";
    expect(await recordReportedRunState(db, { runId, state: "queued", at: 1_000, waiting })).toEqual({
      kind: "applied",
      state: "queued",
    });
    expect(await read(runId)).toMatchObject({ state: "queued", waiting });
    await recordReportedRunState(db, { runId, state: "preparing", at: 2_000 });
    expect(await read(runId)).toMatchObject({ state: "preparing", waiting: null });
  });

  it("writes nothing for a report core refuses: an ended run stays ended", async () => {
    const { runId } = await seedRun(db);
    await recordReportedRunState(db, { runId, state: "failed", at: 1_000, error: "boom" });
    const late = await recordReportedRunState(db, {
      runId,
      state: "interrupted",
      at: 2_000,
      error: "the runner stopped",
    });
    expect(late).toMatchObject({ kind: "refused", code: "INVALID_STATE" });
    expect(await read(runId)).toMatchObject({ state: "failed", error: "boom", endedAt: new Date(1_000) });
  });

  it("writes nothing when the run changed since it was read", async () => {
    const { runId } = await seedRun(db);
    const stale = await read(runId);
    await applyReportedRunState(db, stale, { runId, state: "cancelled", at: 1_000 });
    expect(await applyReportedRunState(db, stale, { runId, state: "running", at: 2_000, worktreePath: "/wt" })).toEqual({
      kind: "lost",
    });
    expect(await read(runId)).toMatchObject({ state: "cancelled", worktreePath: null, startedAt: null });
  });
});
