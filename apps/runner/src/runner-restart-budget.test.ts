import { RunStateEventSchema } from "@grove/core";
import { startAgentProcess } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { agentEnv, startAnthropicDouble, TURN_USAGE, type ModelScript } from "@grove/testing";
import { mkdir, mkdtemp, realpath, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { readRunRecord } from "./run/run-record.ts";
import { createHubStore, eventsOf, startTestHub, waitFor, type TestHub } from "./test-support/test-hub.ts";

// The runner is killed -9 while a session's agent (the real claude CLI, against its model double) spends its
// budget, and the agent spends on without it; the restarted runner stops it and counts all it spent: the
// session's next run gets only what is left.

const TOKEN = "runner-token-for-budget-restart-01";
const DAEMON_SCRIPT = fileURLToPath(new URL("./test-support/daemon-process.ts", import.meta.url));
const TSX = createRequire(import.meta.url).resolve("tsx");
const TURN_TOKENS = TURN_USAGE.uncachedInput + TURN_USAGE.cachedInput + TURN_USAGE.output;
const SESSION = "session-20260101-1600";
const longScript: ModelScript = [
  ...Array.from({ length: 30 }, (_, i) => ({ do: "run" as const, command: `echo step ${i}` })),
  { do: "say", text: "Done." },
];
const cleanups: (() => Promise<unknown>)[] = [];
let repo: TempRepo;
const output: string[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startDaemonProcess(hub: TestHub, dataDir: string, env: Record<string, string>) {
  const runner = startAgentProcess([process.execPath, "--import", TSX, DAEMON_SCRIPT, hub.url, TOKEN, dataDir, repo.dir], {
    cwd: dataDir,
    env: { ...process.env, ...env },
    onLine: (_stream, text) => output.push(text),
  });
  cleanups.push(() => runner.cancel(2_000).catch(() => undefined));
  return runner;
}

it("after kill -9 of the runner mid-run, the restarted runner counts what the session spent against its budget", async () => {
  repo = await makeTempRepo({ files: { "grove.yaml": `test: '"${process.execPath}" -e "process.exit(0)"'\n` } });
  const scratch = await realpath(await mkdtemp(join(tmpdir(), "grove-budget-restart-")));
  const dataDir = join(scratch, "data");
  await mkdir(dataDir);
  const double = await startAnthropicDouble(longScript);
  const store = createHubStore();
  const hub = await startTestHub({ token: TOKEN, store });
  cleanups.push(
    repo.cleanup,
    () => rm(scratch, { recursive: true, force: true }),
    () => double.close(),
    () => hub.close(),
  );
  const env = await agentEnv({ home: join(scratch, "home"), binDir: join(scratch, "bin"), anthropicUrl: double.url });
  const budget = { tokens: 9 * TURN_TOKENS - 100 };
  const start = (runId: string, taskId: string) =>
    hub.startSession({
      sessionId: SESSION,
      repoPath: repo.dir,
      integration: "main",
      tasks: [{ runId, agent: "claude", taskId, profile: "claude", prompt: "Check the tree many times" }],
      budget,
    });

  const first = startDaemonProcess(hub, dataDir, env);
  await waitFor(() => store.events.some((e) => e.event === "runner:hello"), `the runner to connect:\n${output.join("\n")}`);
  expect(await start("run-first", "first")).toEqual({ ok: true });
  // Three turns spent, as the run's record says: then the runner dies under it.
  await waitFor(async () => {
    const usage = (await readRunRecord(dataDir, "run-first"))?.usage;
    return usage !== undefined && usage.tokensIn >= 3 * TURN_USAGE.uncachedInput;
  }, "the first run to spend three turns");
  process.kill(first.pid ?? -1, "SIGKILL");
  await first.done;
  const atKill = (await readRunRecord(dataDir, "run-first"))?.usage;
  // The agent outlives the runner (its own process group) and spends on, with no runner to meter it.
  const turnsAtKill = double.streamedTurns();
  await waitFor(() => double.streamedTurns() >= turnsAtKill + 2, "the orphaned agent to spend two more turns");

  const hellos = store.events.filter((e) => e.event === "runner:hello").length;
  startDaemonProcess(hub, dataDir, env);
  await waitFor(() => store.events.filter((e) => e.event === "runner:hello").length > hellos, "the restarted runner");
  await waitFor(
    () => eventsOf(store, "run:state", RunStateEventSchema).find((s) => s.runId === "run-first" && s.state === "interrupted"),
    "the first run to be marked interrupted",
  );
  // The restarted runner stopped it and counted what it spent after the kill, from its output file.
  const recounted = (await readRunRecord(dataDir, "run-first"))?.usage;
  const before = (recounted?.tokensIn ?? 0) + (recounted?.tokensOut ?? 0);
  expect(before).toBeGreaterThanOrEqual((atKill?.tokensIn ?? 0) + (atKill?.tokensOut ?? 0) + 2 * TURN_USAGE.uncachedInput);
  expect(await start("run-second", "second")).toEqual({ ok: true });
  const ended = await waitFor(
    () =>
      eventsOf(store, "run:state", RunStateEventSchema).find(
        (s) => s.runId === "run-second" && ["succeeded", "failed", "cancelled"].includes(s.state),
      ),
    "the second run to end",
  );
  expect(ended.state).toBe("cancelled");
  const spent = Number(/^budget exceeded: spent (\d+) tokens of (\d+)$/.exec(ended.error ?? "")?.[1]);
  expect(spent, ended.error).toBeGreaterThanOrEqual(budget.tokens);
  // The second run got what the first left (all it spent, after the kill too): else it would have run 6 to 9 turns.
  const own = (await readRunRecord(dataDir, "run-second"))?.usage;
  const ownTokens = (own?.tokensIn ?? 0) + (own?.tokensOut ?? 0);
  expect(ownTokens).toBeLessThan(Math.max(0, budget.tokens - before) + 2 * TURN_TOKENS);
  expect(ownTokens).toBeLessThan(5 * TURN_TOKENS);
}, 120_000);
