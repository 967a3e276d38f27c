import type { CleanupAnswer, LeftoverWork } from "@grove/core";
import type { DoctorReport } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { access, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunState } from "@grove/core";
import { writeRunRecord } from "../run/run-record.ts";
import { runGrove } from "../test-support/grove-process.ts";

describe("grove doctor and grove cleanup: ended runs' leftovers", () => {
  let repo: TempRepo;
  let dataDir: string;
  beforeEach(async () => {
    repo = await makeTempRepo();
    dataDir = join(repo.root, "runner-data");
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  const grove = (...args: string[]) => runGrove([...args, "--data-dir", dataDir], { cwd: repo.dir });
  /** A run of this runner, in `state`, with a worktree holding one commit (and uncommitted work when asked). */
  const run = async (task: string, state: RunState, dirty = false) => {
    const added = await runGrove(["worktree", "add", "demo", task, "--json"], { cwd: repo.dir });
    const path = (JSON.parse(added.stdout) as { path: string }).path;
    await repo.write({ [`${task}.txt`]: `${task}\n` }, { cwd: path });
    await repo.git(["add", "-A"], { cwd: path });
    await repo.git(["commit", "-q", "-m", `work on ${task}`], { cwd: path });
    if (dirty) await writeFile(join(path, "draft.md"), "not committed\n");
    const branch = `agent/demo/${task}`;
    await writeRunRecord(dataDir, { runId: `run-${task}`, sessionId: "s1", repo: repo.dir, branch, state, worktreePath: path });
    return { path, branch };
  };

  it("lists a failed run's worktree, never a live or possibly waiting one, and cleans it up with a snapshot", async () => {
    const failed = await run("t1", "failed", true);
    const live = await run("t2", "running");
    await run("t3", "succeeded");
    // needs_input: grove stopped the agent; its answer comes as a re-run, so its worktree is a leftover too.
    await run("t4", "needs_input");

    const doctor = await grove("doctor", "--json");
    expect(doctor.code).toBe(1);
    const report = JSON.parse(doctor.stdout) as DoctorReport;
    expect(report.leftovers.map((l) => [l.branch, l.uncommittedFiles, l.lastCommit.subject])).toEqual([
      ["agent/demo/t1", 1, "work on t1"],
      ["agent/demo/t4", 0, "work on t4"],
    ]);
    expect((await grove("doctor")).stdout).toContain("never landed (2)");

    const dry = await grove("cleanup", "--dry-run", "--json");
    expect((JSON.parse(dry.stdout) as LeftoverWork[]).map((l) => l.branch)).toEqual(["agent/demo/t1", "agent/demo/t4"]);
    expect(JSON.parse((await grove("cleanup", "--older-than", "7d", "--dry-run", "--json")).stdout)).toEqual([]);

    const refused = await grove("cleanup", "demo/t2", "demo/t3", "--json");
    expect(refused.code).toBe(1);
    expect((JSON.parse(refused.stdout) as CleanupAnswer).refused.map((r) => r.reason)).toEqual([
      "run run-t2 is running",
      expect.stringContaining("may still wait on the hub"),
    ]);
    await access(live.path);

    const cleaned = await grove("cleanup", "--older-than", "0m", "--json");
    expect(cleaned.code).toBe(0);
    const answer = JSON.parse(cleaned.stdout) as CleanupAnswer;
    expect(answer.cleaned.map((c) => c.branch)).toEqual(["agent/demo/t1", "agent/demo/t4"]);
    await expect(access(failed.path)).rejects.toThrow();
    expect(await repo.git(["branch", "--list", failed.branch])).toBe("");

    const restored = await runGrove(["archive", "restore", answer.cleaned[0]?.snapshotRef ?? "", "--json"], { cwd: repo.dir });
    const { path } = JSON.parse(restored.stdout) as { path: string };
    expect(await readFile(join(path, "t1.txt"), "utf8")).toBe("t1\n");
    expect(await readFile(join(path, "draft.md"), "utf8")).toBe("not committed\n");
  });

  it("refuses a malformed --older-than and changes nothing", async () => {
    const failed = await run("t1", "failed");
    const result = await grove("cleanup", "--older-than", "soon");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("--older-than takes a duration");
    await access(failed.path);
  });

  it("refuses a name that is no agent branch (the integration branch, say) and changes nothing", async () => {
    const failed = await run("t1", "failed");
    for (const name of ["main", "agent/main", "demo/t1/extra"]) {
      const result = await grove("cleanup", name);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`"${name}" is not an agent branch (agent/<agent>/<task> or <agent>/<task>)`);
      expect(result.stdout).toBe("");
    }
    await access(failed.path);
    expect(await repo.git(["branch", "--list", failed.branch])).toContain(failed.branch);
  });
});
