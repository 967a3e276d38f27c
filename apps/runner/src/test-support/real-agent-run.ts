import {
  AuditRecordSchema,
  RunReportSchema,
  RunStateEventSchema,
  TERMINAL_RUN_STATES,
  type AgentProfile,
  type LogLine,
  type RoundSpec,
  type TaskSpec,
} from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRunnerDaemon } from "../daemon.ts";
import { BUILT_IN_PROFILES } from "../launch/agent-profiles.ts";
import { readRunRecord } from "../run/run-record.ts";
import {
  agentEnv,
  startAnthropicDouble,
  startOpenAiDouble,
  type LoopbackServer,
  type ModelScript,
  type RealAgentCli,
} from "@grove/testing";
import { eventsOf, startTestHub, waitFor, type TestHub } from "./test-hub.ts";

// One task of a built-in profile, run by the real CLI against its model double, through the runner daemon
// (in this process) and a real hub socket: the whole run path — worktree, agent process group, log spool
// shipped to the hub, cancel, report — for the behaviour tests of real agents.

const TOKEN = "runner-token-for-real-agent-runs";
const TERMINAL: readonly string[] = TERMINAL_RUN_STATES;

export type RealAgentRun = {
  runId: string;
  hub: TestHub;
  repo: TempRepo;
  double: LoopbackServer;
  /** What each turn asked of the model's answer format (`text.format`; codex's double records it, claude's none). */
  textFormats(): unknown[];
  dataDir: string;
  /** The run's end state event, once it came. */
  ended(): Promise<{ state: string; error?: string | undefined }>;
  /** The worktree path, once the run is running. */
  worktree(): Promise<string>;
  lines(): LogLine[];
  report(): ReturnType<typeof RunReportSchema.parse> | undefined;
  /** run.ended's audit details. */
  endedAudit(): Record<string, unknown> | undefined;
  /** Live processes whose environment names this run (GROVE_RUN_ID), wherever their group went. */
  processesOfRun(): Promise<number[]>;
  /** The agent's process group as the run record holds it. */
  agentGroup(): Promise<number | undefined>;
  cleanup(): Promise<void>;
  /** Sends the task's next round (a new run of the same task; `round.previousRunId` defaults to this run). */
  nextRound(prompt: string, round: Omit<RoundSpec, "previousRunId"> & { previousRunId?: string }): Promise<RealAgentRun>;
};

/**
 * Starts the run: `cli`'s built-in profile with `profile` laid over it (grove.yaml's `agents.<cli>`, the way
 * a user sets a timeout), its environment pointing it at a double that plays `script`.
 */
export async function startRealAgentRun(o: {
  cli: RealAgentCli;
  script: ModelScript;
  profile?: Partial<Pick<AgentProfile, "timeoutSec" | "command">>;
  prompt?: string;
}): Promise<RealAgentRun> {
  // Its own run id: processes are found by it, and other test files run agents at the same time.
  const RUN_ID = `run-real-${randomUUID().slice(0, 8)}`;
  const scratch = await realpath(await mkdtemp(join(tmpdir(), "grove-real-run-")));
  const openAi = o.cli === "claude" ? null : await startOpenAiDouble(o.script);
  const double = openAi ?? (await startAnthropicDouble(o.script));
  const env = await agentEnv({
    home: join(scratch, "home"),
    binDir: join(scratch, "bin"),
    anthropicUrl: double.url,
    openAiUrl: double.url,
  });
  const builtIn = BUILT_IN_PROFILES[o.cli];
  if (!builtIn) throw new Error(`no built-in profile ${o.cli}`);
  const profile: AgentProfile = { ...builtIn, env, ...o.profile };
  const groveYaml = JSON.stringify({ test: `"${process.execPath}" -e "process.exit(0)"`, agents: { [o.cli]: profile } });
  const repo = await makeTempRepo({ files: { "README.md": "# real agent\n", "grove.yaml": groveYaml } });
  const dataDir = join(scratch, "data");
  const hub = await startTestHub({ token: TOKEN });
  const daemon = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir] });
  const cleanup = async () => {
    await daemon.stop();
    await hub.close();
    await double.close();
    await repo.cleanup();
    await rm(scratch, { recursive: true, force: true });
  };
  const send = async (task: TaskSpec, sessionId: string) => {
    const ack = await hub.startSession({ sessionId, repoPath: repo.dir, integration: "main", tasks: [task] });
    if (!ack.ok) throw new Error(ack.error);
  };
  const runOf = (runId: string): RealAgentRun => {
    const states = () => eventsOf(hub.store, "run:state", RunStateEventSchema).filter((s) => s.runId === runId);
    return {
      runId,
      hub,
      repo,
      double,
      textFormats: () => openAi?.textFormats() ?? [],
      dataDir,
      ended: () => waitFor(() => states().find((s) => TERMINAL.includes(s.state)), "the run to end", 90_000),
      worktree: () => waitFor(() => states().find((s) => s.worktreePath)?.worktreePath, "the run's worktree"),
      lines: () => [...(hub.store.lines.get(runId)?.values() ?? [])].sort((a, b) => a.seq - b.seq),
      report: () => eventsOf(hub.store, "run:report", RunReportSchema).find((r) => r.runId === runId),
      endedAudit: () =>
        eventsOf(hub.store, "audit:record", AuditRecordSchema).find((a) => a.runId === runId && a.action === "run.ended")
          ?.details,
      processesOfRun: () => processesWithEnv(`GROVE_RUN_ID=${runId}`),
      agentGroup: async () => (await readRunRecord(dataDir, runId))?.pgid,
      cleanup,
      async nextRound(prompt, round) {
        const next = `${RUN_ID}-r${round.number}`;
        const spec = { ...round, previousRunId: round.previousRunId ?? runId };
        await send(
          { runId: next, agent: o.cli, taskId: "task", profile: o.cli, prompt, round: spec },
          `session-20260101-17${round.number}`,
        );
        return runOf(next);
      },
    };
  };
  try {
    await waitFor(() => hub.store.events.some((e) => e.event === "runner:hello"), "runner:hello");
    await send(
      { runId: RUN_ID, agent: o.cli, taskId: "task", profile: o.cli, prompt: o.prompt ?? "Do the task" },
      "session-20260101-1700",
    );
  } catch (error) {
    await cleanup();
    throw error;
  }
  return runOf(RUN_ID);
}

async function processesWithEnv(entry: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(`/proc/${name}/environ`, "utf8").catch(() => "");
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state !== "Z" && environ.split("\0").includes(entry)) pids.push(Number(name));
  }
  return pids;
}
