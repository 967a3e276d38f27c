import { startAgentProcess, type AgentProcess } from "@grove/core/node";
import { makeTempRepo } from "@grove/core/test-support";
import { RunStateEventSchema } from "@grove/core";
import { mkdtemp, readdir, readlink, realpath, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startRunnerDaemon, type RunnerDaemon } from "../daemon.ts";
import { readTail } from "./spool-files.ts";
import { createHubStore, eventsOf, startTestHub, waitFor, type HubStore } from "./test-hub.ts";

// A runner in its own process that a test kills with SIGKILL, running one agent that floods its output,
// and a restarted runner in the test's process. Shared by the restart tests of the log pipeline.

const TOKEN = "runner-token-for-restart-log-tests";
const DAEMON_SCRIPT = fileURLToPath(new URL("./daemon-process.ts", import.meta.url));
const TSX = createRequire(import.meta.url).resolve("tsx");
export const FLOOD_RUN_ID = "run-flood";
const PAD = "x".repeat(60) + "·".repeat(30);

// Prints `line N <pad>` in bursts of 50 lines a timer tick apart (well under what grove reads, so its group
// is not stopped for backlog) until the file named by its argument exists; then `line N last` and it waits.
// SIGTERM makes it print `line N stopped` and exit.
const FLOOD_AGENT = `const fs = require("node:fs");
const stop = process.argv[1];
let n = 0;
const say = (text) => fs.writeSync(1, text);
process.on("SIGTERM", () => { say("line " + ++n + " stopped\\n"); process.exit(143); });
const burst = () => {
  if (fs.existsSync(stop)) { say("line " + ++n + " last\\n"); setInterval(() => {}, 60000); return; }
  let text = "";
  for (let i = 0; i < 50; i++) text += "line " + ++n + " ${PAD}\\n";
  say(text);
  setTimeout(burst, 1);
};
burst();`;

/** What the flood agent printed when its last line is `line <count> <word>`: every line, in order. */
export function floodLines(count: number, ending: readonly string[]): string[] {
  const lines = Array.from({ length: count - ending.length }, (_, i) => `line ${i + 1} ${PAD}`);
  return [...lines, ...ending.map((word, i) => `line ${count - ending.length + i + 1} ${word}`)];
}

export type FloodRun = {
  store: HubStore;
  spoolPath: string;
  /** Makes the agent print its last line and wait. */
  stopFlood: () => Promise<void>;
  /** SIGKILL to the runner process; resolves once the orphaned agent printed more, if it still floods. */
  killRunner: () => Promise<void>;
  restartRunner: () => Promise<RunnerDaemon>;
  cleanup: () => Promise<void>;
};

export async function startFloodRun(opts: { isAcking: () => boolean }): Promise<FloodRun> {
  const scratch = await realpath(await mkdtemp(join(tmpdir(), "grove-flood-")));
  const stopFile = join(scratch, "stop");
  const dataDir = join(scratch, "data");
  const config = { agents: { flood: { command: [process.execPath, "-e", FLOOD_AGENT, "--", stopFile] } } };
  const repo = await makeTempRepo({ files: { "README.md": "# flood\n", "grove.yaml": JSON.stringify(config) } });
  const store = createHubStore();
  const hub = await startTestHub({ token: TOKEN, store, ackLogs: opts.isAcking });
  const cleanups: (() => Promise<unknown>)[] = [
    repo.cleanup,
    () => rm(scratch, { recursive: true, force: true }),
    () => hub.close(),
    () => killOrphans(store),
  ];

  const runner: AgentProcess = startAgentProcess(
    [process.execPath, "--import", TSX, DAEMON_SCRIPT, hub.url, TOKEN, dataDir, repo.dir],
    {
      cwd: scratch,
      env: process.env,
      onLine: () => undefined,
    },
  );
  cleanups.push(() => runner.cancel(200).catch(() => undefined));
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step();
  };
  try {
    await waitFor(() => store.events.some((e) => e.event === "runner:hello"), "the runner process to connect");
    const task = { runId: FLOOD_RUN_ID, agent: "flood", taskId: "flood", profile: "flood", prompt: "flood" };
    const ack = await hub.startSession({
      sessionId: "session-20260101-1600",
      repoPath: repo.dir,
      integration: "main",
      tasks: [task],
    });
    if (!ack.ok) throw new Error(ack.error);
  } catch (error) {
    await cleanup();
    throw error;
  }
  const capturePath = join(dataDir, "runs", FLOOD_RUN_ID, "capture", "agent", "stdout.log");
  let isFlooding = true;
  return {
    store,
    spoolPath: join(dataDir, "spool", `${FLOOD_RUN_ID}.jsonl`),
    stopFlood: async () => {
      isFlooding = false;
      await writeFile(stopFile, "stop");
      await waitFor(async () => (await readTail(capturePath)).includes(" last\n"), "the agent's last line");
    },
    killRunner: async () => {
      process.kill(runner.pid ?? -1, "SIGKILL");
      await runner.done;
      if (!isFlooding) return;
      // The agent is in its own process group: it floods on, an orphan. Its output grows past the kill.
      const { size } = await stat(capturePath);
      await waitFor(async () => (await stat(capturePath)).size > size, "the orphaned agent to print after the kill");
    },
    restartRunner: async () => {
      const daemon = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir] });
      cleanups.push(() => daemon.stop());
      return daemon;
    },
    cleanup,
  };
}

/** The highest seq up to which the hub stored every line of the run. */
export function storedWatermark(store: HubStore): number {
  const lines = store.lines.get(FLOOD_RUN_ID);
  let seq = 0;
  while (lines?.has(seq + 1)) seq++;
  return seq;
}

async function killOrphans(store: HubStore): Promise<void> {
  // The agent's processes, if a test failed before a restarted runner stopped them.
  const worktree = eventsOf(store, "run:state", RunStateEventSchema).find((s) => s.worktreePath)?.worktreePath;
  if (!worktree) return;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => "");
    if (cwd !== worktree && !cwd.startsWith(`${worktree}/`)) continue;
    try {
      process.kill(Number(entry), "SIGKILL");
    } catch {
      // Gone in the meantime.
    }
  }
}
