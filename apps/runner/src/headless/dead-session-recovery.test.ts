import { AuditEntrySchema } from "@grove/core";
import { isPidAlive, listRunProcessGroups } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { spawn, type ChildProcess } from "node:child_process";
import { access, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GROVE_BIN, runGrove } from "../test-support/grove-process.ts";
import { readRunRecord } from "../run/run-record.ts";
import { startRunnerDaemon } from "../daemon.ts";
import { startTestHub, waitFor } from "../test-support/test-hub.ts";

// A `grove session run` killed -9 leaves its runs "running" and its agents going (each is its own process group).
// The next `grove session run` on the data folder ends them as interrupted, as a runner's restart ends its own: the
// agent stopped, the worktree unlocked and kept, `run.interrupted` in the dead session's audit trail. A session whose
// grove process lives is never touched.

let repo: TempRepo;
let dataDir: string;
const env = { GROVE_DEMO_DELAY_MS: "5" };
const started: ChildProcess[] = [];
const groups: number[] = [];

beforeEach(async () => {
  repo = await makeTempRepo({ files: { "README.md": "# dead\n", "grove.yaml": "test: none\n" } });
  dataDir = join(repo.root, "data");
});
afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const pgid of groups.splice(0)) if (isPidAlive(pgid)) process.kill(-pgid, "SIGKILL");
  await repo.cleanup();
});

async function planFile(session: string, task: string, prompt: string): Promise<string> {
  const path = join(repo.root, `${session}.yaml`);
  await writeFile(path, `session: ${session}\ntasks:\n  - { agent: demo, task: ${task}, prompt: "${prompt}" }\n`);
  return path;
}

/** `grove session run` of one hanging demo task, left running once its agent is up: the process and the agent's group. */
async function startHangingSession(session: string, task: string): Promise<{ grove: ChildProcess; pgid: number }> {
  const args = [GROVE_BIN, "session", "run", "--plan", await planFile(session, task, "hang"), "--data-dir", dataDir];
  const grove = spawn(process.execPath, [...args, "--approve", "manual"], { cwd: repo.dir, env: { ...process.env, ...env } });
  started.push(grove);
  let output = "";
  grove.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  grove.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const runId = `${session}-demo-${task}`;
  const pgid = await waitFor(
    async () => (await readRunRecord(dataDir, runId))?.state === "running" && listRunProcessGroups(runId)[0],
    `the agent of ${runId} to run:\n${output}`,
    60_000,
  );
  groups.push(pgid);
  return { grove, pgid };
}

const killed = async (child: ChildProcess) => {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
};
const auditOf = async (session: string) =>
  (await readFile(join(dataDir, "audit", `${session}.jsonl`), "utf8"))
    .trim()
    .split("\n")
    .map((line) => AuditEntrySchema.parse(JSON.parse(line)));
const lockedWorktrees = async () =>
  (await repo.git(["worktree", "list", "--porcelain"])).split("\n\n").filter((entry) => /^locked/m.test(entry)).length;

describe("the runs of a grove session run killed -9", () => {
  it("are ended as interrupted by the next session run: agent stopped, worktree unlocked and kept, audited", async () => {
    const { grove, pgid } = await startHangingSession("s1", "stuck");
    await killed(grove);
    // What it leaves: a run that says running, its agent going, its worktree locked.
    expect((await readRunRecord(dataDir, "s1-demo-stuck"))?.state).toBe("running");
    expect(isPidAlive(pgid)).toBe(true);
    expect(await lockedWorktrees()).toBe(1);

    const next = await runGrove(
      ["session", "run", "--plan", await planFile("s2", "next", "lines=1"), "--data-dir", dataDir, "--approve", "auto"],
      { cwd: repo.dir, env },
    );
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain("run s1-demo-stuck (session s1) was running when its grove process died");
    // No hub stored its lines: the next session says where all its agent printed is.
    const output = join(dataDir, "runs", "s1-demo-stuck", "capture", "agent");
    expect(next.stderr).toMatch(/run s1-demo-stuck: all its agent printed \(\d+(\.\d+)? (B|KB|kB|MB) on stdout\), also after/);
    expect(next.stderr).toContain(`its grove process died, is kept in ${output}`);
    await access(join(output, "stdout.log"));
    expect((await readRunRecord(dataDir, "s1-demo-stuck"))?.state).toBe("interrupted");
    expect(listRunProcessGroups("s1-demo-stuck")).toEqual([]);
    expect(await lockedWorktrees()).toBe(0);
    // Its worktree and branch are kept: what the agent did stays for a person to look at or `grove cleanup`.
    expect(await repo.git(["branch", "--list", "agent/demo/stuck"])).toContain("agent/demo/stuck");
    expect(await repo.git(["worktree", "list"])).toContain("stuck");
    const interrupted = (await auditOf("s1")).filter((e) => e.action === "run.interrupted");
    expect(interrupted.map((e) => [e.runId, e.details])).toEqual([
      ["s1-demo-stuck", expect.objectContaining({ previousState: "running", orphanStopped: true })],
    ]);
    const verify = await runGrove(["audit", "verify", join(dataDir, "audit", "s1.jsonl")], { cwd: repo.dir });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    // Once is enough: a later session finds nothing left to end.
    const again = await runGrove(
      ["session", "run", "--plan", await planFile("s3", "more", "lines=1"), "--data-dir", dataDir, "--approve", "auto"],
      { cwd: repo.dir, env },
    );
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain("when its grove process died");
    expect((await auditOf("s1")).filter((e) => e.action === "run.interrupted")).toHaveLength(1);
  });

  it("leaves the runs of a session whose grove process lives alone", async () => {
    const { grove, pgid } = await startHangingSession("live", "busy");
    const next = await runGrove(
      ["session", "run", "--plan", await planFile("other", "quick", "lines=1"), "--data-dir", dataDir, "--approve", "auto"],
      { cwd: repo.dir, env },
    );
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).not.toContain("when its grove process died");
    expect((await readRunRecord(dataDir, "live-demo-busy"))?.state).toBe("running");
    expect(isPidAlive(pgid)).toBe(true);
    expect(grove.exitCode).toBeNull();
  });

  it("are ended by a runner starting on the data folder, which leaves a live session's runs alone", async () => {
    const live = await startHangingSession("live", "busy");
    const dead = await startHangingSession("dead", "stuck");
    await killed(dead.grove);
    const token = "runner-token-for-dead-session-tests";
    const hub = await startTestHub({ token });
    const runner = await startRunnerDaemon({ hubUrl: hub.url, token, dataDir, repos: [repo.dir] });
    try {
      expect((await readRunRecord(dataDir, "dead-demo-stuck"))?.state).toBe("interrupted");
      expect(listRunProcessGroups("dead-demo-stuck")).toEqual([]);
      expect((await readRunRecord(dataDir, "live-demo-busy"))?.state).toBe("running");
      expect(isPidAlive(live.pgid)).toBe(true);
      expect(live.grove.exitCode).toBeNull();
    } finally {
      await runner.stop();
      await hub.close();
    }
  });
});
