import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeRunRecord } from "./run-record.ts";
import { createSessionSpend } from "./session-spend.ts";

// The spend of a session as the runner keeps it: read from the run records on disk, replaced live per run.

let dataDir: string;
beforeEach(async () => {
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-spend-")));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const used = (tokensIn: number, costUsd: number | null = null) => ({ tokensIn, tokensOut: 0, costUsd });
const record = (runId: string, sessionId: string, usage = used(0)) =>
  writeRunRecord(dataDir, { runId, sessionId, repo: "/r", branch: `agent/a/${runId}`, state: "interrupted", usage });

describe("session spend", () => {
  it("counts what the session's runs recorded before this runner started, and no other session's", async () => {
    await record("run-old", "session-a", used(900));
    await record("run-other", "session-b", used(5000));
    const stops: string[] = [];
    const run = await createSessionSpend(dataDir).join({
      sessionId: "session-a",
      runId: "run-new",
      budget: { tokens: 1000 },
      onStop: (reason) => stops.push(reason),
    });
    expect(run.totals().tokensIn).toBe(900);
    expect(run.exceeded()).toBeNull();
    expect(run.update(used(99))).toBeNull();
    expect(run.update(used(100))).toBe("budget exceeded: spent 1000 tokens of 1000");
    expect(stops).toEqual(["budget exceeded: spent 1000 tokens of 1000"]);
    // Later updates of a session already stopped stop nothing again.
    expect(run.update(used(300))).toBeNull();
    expect(stops).toHaveLength(1);
    expect(run.totals().tokensIn).toBe(1200);
  });

  it("stops every live run of the session once, not one whose agent is done, and a run that joins after sees it spent", async () => {
    const spend = createSessionSpend(dataDir);
    const stopped: string[] = [];
    const join = (runId: string) =>
      spend.join({ sessionId: "session-c", runId, budget: { usd: 1 }, onStop: () => stopped.push(runId) });
    const [a, b, done] = [await join("run-a"), await join("run-b"), await join("run-done")];
    done.update(used(10, 0.5));
    done.leave();
    expect(a.update(used(10, 0.4))).toBeNull();
    expect(b.update(used(10, 0.1))).toMatch(/^budget exceeded: spent \$1\.00 of \$1\.00$/);
    expect(stopped.sort()).toEqual(["run-a", "run-b"]);
    const late = await join("run-late");
    expect(late.exceeded()).toMatch(/^budget exceeded/);
  });

  it("carries an earlier attempt of the same run id into its count", async () => {
    await record("run-again", "session-d", used(700));
    const run = await createSessionSpend(dataDir).join({
      sessionId: "session-d",
      runId: "run-again",
      budget: { tokens: 1000 },
      onStop: () => undefined,
    });
    expect(run.before.tokensIn).toBe(700);
    expect(run.update(used(300))).toMatch(/^budget exceeded: spent 1000 tokens/);
  });
});
