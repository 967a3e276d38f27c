import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runGrove } from "./grove-process.ts";

const GROVE_YAML = 'test: node -e "process.exit(0)"\n';
let repo: TempRepo;

afterEach(async () => {
  await repo.cleanup();
});

async function session(plan: string, extra: string[] = []) {
  const planPath = join(repo.root, "plan.yaml");
  await writeFile(planPath, plan);
  return runGrove(["session", "run", "--plan", planPath, "--data-dir", join(repo.root, "data"), ...extra], {
    cwd: repo.dir,
    env: { GROVE_DEMO_DELAY_MS: "5" },
  });
}

describe("grove session run", () => {
  it("runs a plan headless and, with --approve auto, lands every task", async () => {
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": GROVE_YAML } });
    const result = await session(
      "tasks:\n  - { agent: demo, task: alpha, prompt: 'lines=3' }\n  - { agent: demo, task: beta, prompt: 'lines=3' }\n",
      ["--approve", "auto"],
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/demo\/alpha │ /);
    expect(result.stdout).toContain("every task landed");
    expect(result.stderr).toMatch(/▸ demo\/beta\s+running/);
    const merges = (await repo.git(["log", "main", "--merges", "--format=%P%x09%s"])).split("\n");
    expect(merges.map((m) => m.split("\t")[1]).sort()).toEqual([
      "Merge demo agent results (alpha)",
      "Merge demo agent results (beta)",
    ]);
    for (const merge of merges) expect(merge.split("\t")[0]?.split(" ")).toHaveLength(2);
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
  });

  it("exits 1 and keeps the branch when a task fails", async () => {
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": GROVE_YAML } });
    const result = await session(
      "tasks:\n  - { agent: demo, task: good, prompt: 'lines=2' }\n  - { agent: demo, task: bad, prompt: 'lines=2 fail' }\n",
      ["--approve", "auto"],
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("not every task landed");
    expect(await repo.git(["branch", "--list", "agent/demo/bad"])).toContain("agent/demo/bad");
    expect(await repo.git(["log", "main", "--merges", "--format=%s"])).toBe("Merge demo agent results (good)");
  });

  it("names the audit trail, and exits 1 when an event could not be written to it", async () => {
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": GROVE_YAML } });
    const plan = "session: s1\ntasks:\n  - { agent: demo, task: one, prompt: 'lines=1' }\n";
    const ok = await session(plan);
    const file = join(repo.root, "data", "audit", "s1.jsonl");
    expect(ok.stdout).toContain(`audit trail: ${file} (grove audit verify checks it)`);
    expect(ok.code).toBe(0);
    await appendFile(file, "torn");
    const torn = await session(plan);
    expect(torn.stderr).toContain(`grove: the audit trail ${file} is missing events: The audit file ${file} cannot be appended to: its last line (line`);
    expect(torn.code).toBe(1);
  });

  it("refuses an invalid plan with the bad key named, creating nothing", async () => {
    repo = await makeTempRepo();
    const result = await session("tasks:\n  - { agent: demo }\n");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/plan\.yaml is invalid — tasks\.0\.task/);
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
    expect(await repo.git(["worktree", "list"])).not.toContain("wt-");
  });
});
