import { isGroupAlive } from "@grove/core/node";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startRealAgentRun, type RealAgentRun } from "../test-support/real-agent-run.ts";
import { waitFor } from "../test-support/test-hub.ts";

// Real agents stopped from outside: by their profile's timeout, and by a cancel while a tool call runs.
// The real claude and codex CLIs, their models scripted (test-support/model-doubles), run by the daemon.

let run: RealAgentRun | undefined;
afterEach(async () => {
  await run?.cleanup();
  run = undefined;
});

/** Nothing of the run is left: not its process group, nor any process that carries its run id. */
async function expectNothingLeft(r: RealAgentRun) {
  const pgid = await r.agentGroup();
  expect(pgid).toBeGreaterThan(0);
  expect(isGroupAlive(pgid ?? 0)).toBe(false);
  expect(await r.processesOfRun()).toEqual([]);
}

describe.each(["claude", "codex"] as const)("a real %s agent", (cli) => {
  it("that runs past its profile's timeout ends as timed out, its whole process group gone", async () => {
    // The command outlives the timeout by far; the marker says the tool call had started.
    run = await startRealAgentRun({
      cli,
      profile: { timeoutSec: 4 },
      script: [{ do: "run", command: "echo started > started.txt; sleep 120" }],
    });
    const ended = await run.ended();
    expect(ended.state).toBe("failed");
    expect(ended.error).toBe("the agent ran past its timeout of 4000 ms and was stopped");
    expect(
      run.lines().some((l) => l.stream === "system" && l.text === "the agent ran past its timeout of 4000 ms and was stopped"),
    ).toBe(true);
    expect(run.report()?.test.status).toBe("skipped");
    await expectNothingLeft(run);
  });

  it("cancelled while its tool call runs ends as cancelled, with nothing left running", async () => {
    run = await startRealAgentRun({ cli, script: [{ do: "run", command: "echo started > started.txt; sleep 120" }] });
    const r = run;
    const worktree = await r.worktree();
    await waitFor(() => existsSync(join(worktree, "started.txt")), "the agent's sleep to start", 60_000);
    expect((await r.processesOfRun()).length).toBeGreaterThan(1);
    expect(await r.hub.cancelRun(r.runId)).toEqual({ ok: true });
    expect((await r.ended()).state).toBe("cancelled");
    expect(
      r
        .lines()
        .some(
          (l) => l.stream === "system" && /^agent stopped \(killed by SIG(TERM|KILL)\)|^agent stopped \(exit code/.test(l.text),
        ),
    ).toBe(true);
    await expectNothingLeft(r);
    // A cancelled run's leftovers are not committed for it.
    expect(await r.repo.git(["rev-list", "--count", `main..agent/${cli}/task`])).toBe("0");
  });
});
