import {
  AuditRecordSchema,
  MergeResultSchema,
  RunReportSchema,
  RunStateEventSchema,
  type TaskSpec,
  isTerminalRunState,
} from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, readdir, readFile, readlink, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import stripAnsi from "strip-ansi";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO_AGENT_PATH } from "./install-paths.ts";
import { startRunnerDaemon } from "./daemon.ts";
import { eventsOf, startTestHub, waitFor, type TestHub } from "./test-support/test-hub.ts";

const TOKEN = "runner-token-for-fault-tests-0123";
const node = process.execPath;
// Prints what the runner gave it: env, the CONTEXT-PACK, and its argv with placeholders filled in.
// Agents are expected to commit: a run without commits of its own has nothing to merge and fails.
const COMMIT = `;require("node:fs").writeFileSync("work-" + process.env.GROVE_TASK + ".txt", "done\\n");
for (const args of [["add", "-A"], ["commit", "-q", "-m", "agent work"]]) require("node:child_process").execFileSync("git", args);`;

const ENV_DUMP = `const fs = require("node:fs");
for (const k of ["GROVE_AGENT", "GROVE_TASK", "GROVE_RUN_ID", "GROVE_CONTEXT_PACK", "GROVE_RESULT"]) console.log(k + "=" + process.env[k]);
console.log("token=" + (process.env.GROVE_RUNNER_TOKEN ?? "hidden"));
console.log("argv=" + JSON.stringify(process.argv.slice(1)));
console.log("pack=" + JSON.stringify(fs.readFileSync(process.env.GROVE_CONTEXT_PACK, "utf8")));${COMMIT}`;

const LEASE_DUMP = `console.log("lease " + process.env.GROVE_SLOT + " " + process.env.PORT + " " + process.env.GROVE_PORTS); setTimeout(() => {}, 300)${COMMIT}`;

// Speaks Claude Code's stream-json, writes no RESULT file, and puts its RESULT in the final answer.
const FAKE_CLAUDE = `const say = (e) => console.log(JSON.stringify(e));
say({ type: "system", subtype: "init", session_id: "s1", model: "fake" });
say({ type: "assistant", message: { content: [{ type: "tool_use", name: "Edit", input: { file: "a.ts" } }] } });
const result = { status: "partial", summary: "Did half.", learnings: [{ title: "Half", body: "The other half is harder." }] };
const fence = "\x60\x60\x60";
say({ type: "result", subtype: "success", result: "Done.\\n" + fence + "json\\n" + JSON.stringify(result) + "\\n" + fence, total_cost_usd: 0.5, num_turns: 3 })${COMMIT}`;

let repo: TempRepo;
let dataDir: string;
let hub: TestHub;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  process.env.GROVE_DEMO_DELAY_MS = "10";
  process.env.GROVE_RUNNER_TOKEN = "secret-that-agents-must-not-see";
  const config = {
    test: `"${node}" -e "process.exit(require('node:fs').existsSync('notes/red.md') ? 1 : 0)"`,
    agents: {
      slow: { command: [node, DEMO_AGENT_PATH, "{prompt}"], timeoutSec: 1 },
      envdump: { command: [node, "-e", ENV_DUMP, "--", "{prompt}", "--result={result}"] },
      lease: { command: [node, "-e", LEASE_DUMP] },
      fakeclaude: { command: [node, "-e", FAKE_CLAUDE, "--", "--output-format", "stream-json", "{prompt}"] },
    },
  };
  repo = await makeTempRepo({
    files: {
      "README.md": "# faults\n",
      "grove.yaml": JSON.stringify(config, null, 2),
      "project-brain/LEARN-007-ports.md": "# Ports\n\nEach run gets its own block.\n",
      "project-brain/LEARN-008-other.md": "# Not named\n",
    },
  });
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-runner-data-")));
  hub = await startTestHub({ token: TOKEN });
  const daemon = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir], maxConcurrentRuns: 2 });
  cleanups.push(
    repo.cleanup,
    () => rm(dataDir, { recursive: true, force: true }),
    () => hub.close(),
    () => daemon.stop(),
  );
  await waitFor(() => hub.store.events.some((e) => e.event === "runner:hello"), "runner:hello");
});

afterEach(async () => {
  delete process.env.GROVE_RUNNER_TOKEN;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const task = (id: string, prompt: string, profile = "demo"): TaskSpec => ({
  runId: `run-${id}`,
  agent: "demo",
  taskId: id,
  profile,
  prompt,
});
const session = (tasks: TaskSpec[]) =>
  hub.startSession({ sessionId: "session-20260101-1400", repoPath: repo.dir, integration: "main", tasks });
const statesOf = (runId: string) => eventsOf(hub.store, "run:state", RunStateEventSchema).filter((s) => s.runId === runId);
const endOf = (runId: string) => waitFor(() => statesOf(runId).find((s) => isTerminalRunState(s.state)), `${runId} to end`);
const reportOf = (runId: string) => eventsOf(hub.store, "run:report", RunReportSchema).find((r) => r.runId === runId);
const textOf = (runId: string) =>
  [...(hub.store.lines.get(runId)?.values() ?? [])].sort((a, b) => a.seq - b.seq).map((l) => l.text);

/** Processes whose working directory is inside `dir` (Linux /proc). */
async function processesIn(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => "");
    if (cwd === dir || cwd.startsWith(`${dir}/`)) found.push(Number(entry));
  }
  return found;
}

describe("runner daemon faults", () => {
  it("reports a failing agent, a missing RESULT and a red test gate, each as a value", async () => {
    await session([task("fails", "fail lines=1"), task("silent", "no-result lines=1"), task("red", "lines=1")]);
    // "red" writes notes/red.md, which the test command above treats as a failure.
    expect((await endOf("run-fails")).state).toBe("failed");
    expect(reportOf("run-fails")).toMatchObject({ exitCode: 1, test: { status: "skipped" } });
    expect(textOf("run-fails")).toContain("tests skipped: the agent did not succeed");

    expect((await endOf("run-silent")).state).toBe("succeeded");
    expect(reportOf("run-silent")).toMatchObject({ result: null, test: { status: "passed" } });
    expect(reportOf("run-silent")?.resultError).toMatch(/wrote no RESULT/);

    expect((await endOf("run-red")).state).toBe("failed");
    expect(reportOf("run-red")).toMatchObject({ exitCode: 0, test: { status: "failed", exitCode: 1 } });
  });

  it("cancel stops a hanging agent's whole process group and keeps its branch", async () => {
    await session([task("hangs", "hang lines=1")]);
    const running = await waitFor(() => statesOf("run-hangs").find((s) => s.state === "running"), "running");
    const worktree = running.worktreePath ?? "";
    await waitFor(() => textOf("run-hangs").some((t) => t.includes("never happens")), "the agent to hang");
    expect((await processesIn(worktree)).length).toBeGreaterThan(0);

    expect(await hub.cancelRun("run-hangs")).toEqual({ ok: true });
    expect((await endOf("run-hangs")).state).toBe("cancelled");
    expect(await processesIn(worktree)).toEqual([]);
    expect(reportOf("run-hangs")).toMatchObject({ test: { status: "skipped" } });
    expect(await repo.git(["worktree", "list", "--porcelain"])).not.toMatch(/^locked/m);
    expect(await repo.git(["branch", "--list", "agent/demo/hangs"])).toContain("agent/demo/hangs");
    expect(await hub.cancelRun("run-hangs")).toMatchObject({ ok: false });
  });

  it("stops an agent that runs past its profile's timeout", async () => {
    await session([task("late", "hang lines=1", "slow")]);
    const end = await endOf("run-late");
    expect(end.state).toBe("failed");
    expect(end.error).toMatch(/timeout/);
  });

  it("gives the agent its env, CONTEXT-PACK and placeholders, but not the runner's secrets", async () => {
    await session([task("env", "say {result} literally, see LEARN-007", "envdump")]);
    const end = await endOf("run-env");
    expect(end.state).toBe("succeeded");
    const worktree = statesOf("run-env").find((s) => s.state === "running")?.worktreePath ?? "";
    const out = textOf("run-env");
    const resultPath = join(dataDir, "runs", "run-env", "result.json");
    expect(out).toContain("GROVE_TASK=env");
    expect(out).toContain(`GROVE_RESULT=${resultPath}`);
    expect(out).toContain("token=hidden");
    expect(out).toContain(`argv=${JSON.stringify(["say {result} literally, see LEARN-007", `--result=${resultPath}`])}`);
    const pack = await readFile(join(dataDir, "runs", "run-env", "context-pack.md"), "utf8");
    expect(out).toContain(`pack=${JSON.stringify(pack)}`);
    expect(pack).toContain("agent/demo/env");
    expect(pack).toContain("Do not write the brain folder `project-brain/`");
    expect(pack).toContain("### project-brain/LEARN-007-ports.md");
    expect(pack).toContain("Each run gets its own block.");
    expect(pack).not.toContain("Not named");
    expect(await repo.git(["status", "--porcelain", "--untracked-files=all", "--ignored"], { cwd: worktree })).toBe("");
  });

  it("a merge conflict keeps the branch and its worktree and leaves no half-merge on main", async () => {
    await session([task("left", "conflict lines=1"), task("right", "conflict lines=1")]);
    for (const id of ["left", "right"]) expect((await endOf(`run-${id}`)).state).toBe("succeeded");
    const merge = async (id: string) => {
      const mergeRequestId = `mr-${id}`;
      await hub.executeMerge({
        mergeRequestId,
        runId: `run-${id}`,
        repoPath: repo.dir,
        branch: `agent/demo/${id}`,
        integration: "main",
        headSha: reportOf(`run-${id}`)?.headSha ?? "",
        message: `Merge ${id}`,
        worktreePath: null,
      });
      return waitFor(
        () => eventsOf(hub.store, "merge:result", MergeResultSchema).find((m) => m.mergeRequestId === mergeRequestId),
        "merge",
      );
    };
    expect((await merge("left")).outcome.kind).toBe("merged");
    expect((await merge("right")).outcome).toEqual({ kind: "conflict", files: ["shared.txt"] });
    expect(await repo.git(["status", "--porcelain"])).toBe("");
    expect(await repo.git(["branch", "--list", "agent/*"])).toContain("agent/demo/right");
    expect(await repo.git(["worktree", "list", "--porcelain"])).toContain("agent/demo/right");
    const audits = eventsOf(hub.store, "audit:record", AuditRecordSchema).map((a) => a.action);
    expect(audits).toContain("merge.conflict");
  });

  it("queues runs beyond the concurrency cap and gives live runs distinct slots and ports", async () => {
    await session(["q1", "q2", "q3"].map((id) => task(id, "", "lease")));
    const ends = await Promise.all(["q1", "q2", "q3"].map((id) => endOf(`run-${id}`)));
    expect(ends.map((e) => e.state)).toEqual(["succeeded", "succeeded", "succeeded"]);
    const queued = ["q1", "q2", "q3"].filter((id) => statesOf(`run-${id}`)[0]?.state === "queued");
    expect(queued).toHaveLength(1);
    expect(statesOf(`run-${queued[0] ?? ""}`).map((s) => s.state)).toEqual([
      "queued",
      "preparing",
      "running",
      "testing",
      "succeeded",
    ]);
    const leaseOf = (id: string) =>
      textOf(`run-${id}`)
        .find((t) => t.startsWith("lease "))
        ?.split(" ") ?? [];
    const [first, second] = ["q1", "q2", "q3"].filter((id) => !queued.includes(id)).map(leaseOf);
    expect(new Set([first?.[1], second?.[1]])).toEqual(new Set(["1", "2"]));
    expect(first?.[2]).not.toBe(second?.[2]);
    expect(first?.[3]).toMatch(/^\d+-\d+$/);
  });

  it("renders Claude's stream-json and takes its RESULT from the final answer", async () => {
    await session([task("claude", "do half", "fakeclaude")]);
    expect((await endOf("run-claude")).state).toBe("succeeded");
    const text = textOf("run-claude").map((t) => stripAnsi(t));
    expect(text).toContain('→ Edit {"file":"a.ts"}');
    expect(text).toContain("claude success after 3 turn(s), $0.5000");
    expect(reportOf("run-claude")).toMatchObject({ resultError: null, result: { status: "partial", summary: "Did half." } });
  });

  it("refuses what it cannot do, before any run starts", async () => {
    const other = await makeTempRepo();
    cleanups.push(other.cleanup);
    const refused = await hub.startSession({ sessionId: "s", repoPath: other.dir, integration: "main", tasks: [task("x", "")] });
    expect(refused.ok ? "" : refused.error).toMatch(/does not serve/);
    expect(await session([task("../escape", "")].map((t) => ({ ...t, runId: "../escape" })))).toMatchObject({ ok: false });
    expect(await hub.cancelRun("run-nothing")).toMatchObject({ ok: false });
    const twice = await session([task("same", ""), { ...task("same", ""), runId: "run-same-2" }]);
    expect(twice.ok ? "" : twice.error).toMatch(/share the branch agent\/demo\/same/);
    const badName = await session([{ ...task("bad", ""), agent: "-rf" }]);
    expect(badName.ok ? "" : badName.error).toMatch(/Invalid agent/);

    // Unknown profiles (also the names of Object.prototype members), a prompt the agent's CLI would read
    // as an option, and a prompt too long for one argument: the whole session is refused, nothing starts.
    for (const profile of ["no-such-profile", "constructor", "__proto__", "toString"]) {
      const unknown = await session([task("ok", ""), task("nobody", "", profile)]);
      expect(unknown.ok ? "" : unknown.error).toContain(`Unknown agent profile "${profile}"`);
    }
    const flag = await session([task("flag", "--dangerously-skip-permissions", "slow")]);
    expect(flag.ok ? "" : flag.error).toContain('Add "--" before "{prompt}" in agents.slow.command in grove.yaml');
    const big = await session([task("big", "é".repeat(99_000))]);
    expect(big.ok ? "" : big.error).toContain("the prompt is 198,000 bytes of UTF-8; at most 100,000 bytes are allowed");
    expect(eventsOf(hub.store, "run:state", RunStateEventSchema)).toEqual([]);
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
  });
});
