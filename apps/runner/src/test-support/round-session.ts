import {
  AuditRecordSchema,
  RunReportSchema,
  RunStateEventSchema,
  isTerminalRunState,
  type RoundSpec,
  type TaskSpec,
} from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRunnerDaemon } from "../daemon.ts";
import { runPaths } from "../run/run-paths.ts";
import { eventsOf, startTestHub, waitFor, type TestHub } from "./test-hub.ts";

// Review rounds of one demo-agent task through the runner daemon and a real hub socket, on a real repository:
// round 1 as a session starts it, each later round as the hub sends it (a new run, `round` in its task spec).

const TOKEN = "runner-token-for-round-tests";

export type RoundRun = {
  runId: string;
  state: string;
  error: string | undefined;
  baseSha: string | undefined;
  worktreePath: string | undefined;
  report: ReturnType<typeof RunReportSchema.parse> | undefined;
  /** round.prepared's audit details (later rounds). */
  prepared: Record<string, unknown> | undefined;
  lines: string[];
  contextPack: string;
};

export type RoundSession = {
  repo: TempRepo;
  hub: TestHub;
  branch: string;
  /** Runs one round of the task ("task-r", agent demo) and waits for its end. */
  round(prompt: string, round?: Omit<RoundSpec, "previousRunId"> & { previousRunId?: string }): Promise<RoundRun>;
  cleanup(): Promise<void>;
};

/** `ackLogs: false` makes the hub never ack log lines: each run ends, then waits for them before it is done. */
export async function startRoundSession(o: { files?: Record<string, string>; ackLogs?: boolean } = {}): Promise<RoundSession> {
  process.env.GROVE_DEMO_DELAY_MS = "0";
  const groveYaml = `test: '"${process.execPath}" -e "process.exit(0)"'\n`;
  const repo = await makeTempRepo({ files: { "README.md": "# rounds\n", "grove.yaml": groveYaml, ...o.files } });
  const dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-round-data-")));
  const hub = await startTestHub({ token: TOKEN, ...(o.ackLogs === false ? { ackLogs: () => false } : {}) });
  const daemon = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir] });
  await waitFor(() => hub.store.events.some((e) => e.event === "runner:hello"), "runner:hello");
  let counter = 0;
  let previousRunId: string | undefined;
  return {
    repo,
    hub,
    branch: "agent/demo/task-r",
    async round(prompt, round) {
      counter += 1;
      const runId = `run-round-${counter}`;
      const spec = round ? { ...round, previousRunId: round.previousRunId ?? previousRunId ?? "none" } : undefined;
      const task: TaskSpec = {
        runId,
        agent: "demo",
        taskId: "task-r",
        profile: "demo",
        prompt,
        ...(spec ? { round: spec } : {}),
      };
      const ack = await hub.startSession({
        sessionId: `session-round-${counter}`,
        repoPath: repo.dir,
        integration: "main",
        tasks: [task],
      });
      if (!ack.ok) throw new Error(ack.error);
      previousRunId = runId;
      return collect(hub, dataDir, runId);
    },
    async cleanup() {
      await daemon.stop();
      await hub.close();
      await repo.cleanup();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function collect(hub: TestHub, dataDir: string, runId: string): Promise<RoundRun> {
  const states = () => eventsOf(hub.store, "run:state", RunStateEventSchema).filter((s) => s.runId === runId);
  const end = await waitFor(() => states().find((s) => isTerminalRunState(s.state)), `${runId} to end`, 60_000);
  const running = states().find((s) => s.state === "running");
  const audits = eventsOf(hub.store, "audit:record", AuditRecordSchema).filter((a) => a.runId === runId);
  const lines = [...(hub.store.lines.get(runId)?.values() ?? [])].sort((a, b) => a.seq - b.seq).map((l) => l.text);
  return {
    runId,
    state: end.state,
    error: end.error,
    baseSha: running?.baseSha,
    worktreePath: running?.worktreePath,
    report: eventsOf(hub.store, "run:report", RunReportSchema).find((r) => r.runId === runId),
    prepared: audits.find((a) => a.action === "round.prepared")?.details,
    lines,
    contextPack: await readFile(runPaths(dataDir, runId).contextPack, "utf8").catch(() => ""),
  };
}
