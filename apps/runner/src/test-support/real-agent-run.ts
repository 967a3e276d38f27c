import {
  AuditRecordSchema,
  RunReportSchema,
  RunStateEventSchema,
  TERMINAL_RUN_STATES,
  type AgentProfile,
  type LogLine,
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
  const double = o.cli === "claude" ? await startAnthropicDouble(o.script) : await startOpenAiDouble(o.script);
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
  try {
    await waitFor(() => hub.store.events.some((e) => e.event === "runner:hello"), "runner:hello");
    const task = { runId: RUN_ID, agent: o.cli, taskId: "task", profile: o.cli, prompt: o.prompt ?? "Do the task" };
    const ack = await hub.startSession({
      sessionId: "session-20260101-1700",
      repoPath: repo.dir,
      integration: "main",
      tasks: [task],
    });
    if (!ack.ok) throw new Error(ack.error);
  } catch (error) {
    await cleanup();
    throw error;
  }
  const states = () => eventsOf(hub.store, "run:state", RunStateEventSchema).filter((s) => s.runId === RUN_ID);
  return {
    runId: RUN_ID,
    hub,
    repo,
    double,
    dataDir,
    ended: () => waitFor(() => states().find((s) => TERMINAL.includes(s.state)), "the run to end", 90_000),
    worktree: () => waitFor(() => states().find((s) => s.worktreePath)?.worktreePath, "the run's worktree"),
    lines: () => [...(hub.store.lines.get(RUN_ID)?.values() ?? [])].sort((a, b) => a.seq - b.seq),
    report: () => eventsOf(hub.store, "run:report", RunReportSchema).find((r) => r.runId === RUN_ID),
    endedAudit: () =>
      eventsOf(hub.store, "audit:record", AuditRecordSchema).find((a) => a.runId === RUN_ID && a.action === "run.ended")?.details,
    processesOfRun: () => processesWithEnv(`GROVE_RUN_ID=${RUN_ID}`),
    agentGroup: async () => (await readRunRecord(dataDir, RUN_ID))?.pgid,
    cleanup,
  };
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
