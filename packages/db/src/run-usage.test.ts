import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client.ts";
import { readUsageOverview, runUsageData } from "./run-usage.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

let db: Db;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ db, cleanup } = await makeTempDb());
  await db.runner.create({ data: { id: "r1", name: "runner", tokenHash: "x" } });
});
afterAll(() => cleanup());

async function addRun(sessionId: string, agent: string, createdAt: string, usage: Parameters<typeof runUsageData>[0]) {
  await db.agentSession.upsert({
    where: { id: sessionId },
    create: { id: sessionId, runnerId: "r1", repoPath: "/repo", integration: "main", createdBy: "u" },
    update: {},
  });
  const run = await db.run.create({
    data: {
      sessionId,
      agent,
      taskId: `t-${createdAt}`,
      profile: agent,
      prompt: "",
      branch: `agent/${agent}/${createdAt}`,
      state: "succeeded",
      createdAt: new Date(createdAt),
    },
  });
  await db.run.update({ where: { id: run.id }, data: runUsageData(usage) });
  return run.id;
}

describe("run usage in the database", () => {
  it("stores what the agent used on its run, and sums it per day, agent and session", async () => {
    const id = await addRun("s1", "claude", "2026-11-29T10:00:00Z", {
      tokensIn: 1200,
      tokensOut: 40,
      costUsd: 0.01,
      turns: 5,
      durationMs: 900,
      agentSessionId: "sess-1",
    });
    await addRun("s1", "codex", "2026-11-30T09:00:00Z", {
      tokensIn: 600,
      tokensOut: 20,
      costUsd: null,
      turns: 1,
      durationMs: 100,
      agentSessionId: "thread-1",
    });
    await addRun("s2", "claude", "2026-11-30T11:00:00Z", {
      tokensIn: 100,
      tokensOut: 10,
      costUsd: 0.02,
      turns: 2,
      durationMs: 50,
      agentSessionId: null,
    });
    await addRun("s2", "demo", "2026-11-30T12:00:00Z", null);
    await addRun("s0", "claude", "2026-11-20T12:00:00Z", {
      tokensIn: 1,
      tokensOut: 1,
      costUsd: 1,
      turns: 1,
      durationMs: 1,
      agentSessionId: null,
    });

    expect(
      await db.run.findUniqueOrThrow({
        where: { id },
        select: { tokensIn: true, tokensOut: true, costUsd: true, turns: true, agentMs: true, agentSessionId: true },
      }),
    ).toEqual({
      tokensIn: 1200,
      tokensOut: 40,
      costUsd: 0.01,
      turns: 5,
      agentMs: 900,
      agentSessionId: "sess-1",
    });
    const overview = await readUsageOverview(db, { days: 7, now: new Date("2026-11-30T23:00:00Z") });
    expect(overview.total).toMatchObject({ runs: 3, tokensIn: 1900, tokensOut: 70, turns: 8, durationMs: 1050 });
    expect(overview.total.costUsd).toBeCloseTo(0.03);
    expect(overview.byDay.map((d) => [d.key, d.runs, d.tokensIn])).toEqual([
      ["2026-11-30", 2, 700],
      ["2026-11-29", 1, 1200],
    ]);
    expect(overview.byAgent.map((a) => [a.key, a.tokensIn, a.costUsd])).toEqual([
      ["claude", 1300, 0.03],
      ["codex", 600, null],
    ]);
    expect(overview.bySession.map((s) => [s.key, s.runs])).toEqual([
      ["s2", 1],
      ["s1", 2],
    ]);
  });
});
