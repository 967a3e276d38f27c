import { AuditRecordSchema, RunReportSchema, RunStateEventSchema, isTerminalRunState } from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { existsSync } from "node:fs";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRunnerDaemon } from "../daemon.ts";
import { eventsOf, startTestHub, waitFor, type TestHub } from "../test-support/test-hub.ts";

// The dashboard's "Cancel run" while the run's tests run: a stop, not a red test gate.

const TOKEN = "runner-token-for-test-gate-stops-01";
let repo: TempRepo;
let dataDir: string;
let hub: TestHub;
let stopDaemon: () => Promise<void>;

beforeEach(async () => {
  process.env.GROVE_DEMO_DELAY_MS = "5";
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-test-gate-stop-")));
  // The test command says it started, then runs until it is killed.
  const gate = `require("fs").writeFileSync(${JSON.stringify(join(dataDir, "tests-started"))}, ""); setInterval(() => {}, 1000)`;
  repo = await makeTempRepo({
    files: {
      "README.md": "# stops\n",
      "grove.yaml": JSON.stringify({ test: `"${process.execPath}" -e ${JSON.stringify(gate)}` }),
    },
  });
  hub = await startTestHub({ token: TOKEN });
  const daemon = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir] });
  stopDaemon = () => daemon.stop();
  await waitFor(() => hub.store.events.some((e) => e.event === "runner:hello"), "runner:hello");
});
afterEach(async () => {
  await stopDaemon();
  await hub.close();
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

describe("a run cancelled while its tests run", () => {
  it("ends cancelled with its tests stopped, not failed, and keeps its branch", async () => {
    const runId = "run-cancel-in-tests";
    const task = { runId, agent: "demo", taskId: "fast", profile: "demo", prompt: "lines=1" };
    await hub.startSession({ sessionId: "session-20260101-1500", repoPath: repo.dir, integration: "main", tasks: [task] });
    await waitFor(() => existsSync(join(dataDir, "tests-started")), "the tests to start", 60_000);
    expect(await hub.cancelRun(runId)).toEqual({ ok: true });

    const states = () => eventsOf(hub.store, "run:state", RunStateEventSchema).filter((s) => s.runId === runId);
    const end = await waitFor(() => states().find((s) => isTerminalRunState(s.state)), "the run to end", 60_000);
    expect(end.state).toBe("cancelled");
    const report = eventsOf(hub.store, "run:report", RunReportSchema).find((r) => r.runId === runId);
    expect(report?.test.status).toBe("stopped");
    const audits = eventsOf(hub.store, "audit:record", AuditRecordSchema).filter((a) => a.runId === runId);
    expect(audits.find((a) => a.action === "tests.ran")?.details).toMatchObject({ status: "stopped", stoppedBy: "cancelled" });
    expect(await repo.git(["rev-list", "--count", "main..agent/demo/fast"])).toBe("1");
  });
});
