import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";

const GROVE_YAML = 'test: node -e "process.exit(0)"\n';
let repo: TempRepo;

afterEach(async () => {
  await repo.cleanup();
});

async function session(plan: string, extra: string[] = [], env: Record<string, string> = {}) {
  const planPath = join(repo.root, "plan.yaml");
  await writeFile(planPath, plan);
  return runGrove(["session", "run", "--plan", planPath, "--data-dir", join(repo.root, "data"), ...extra], {
    cwd: repo.dir,
    env: { GROVE_DEMO_DELAY_MS: "5", ...env },
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
    expect(result.stdout).toContain("session-");
    expect(result.stdout).toContain(": 1 of 2 landed, 1 failed");
    expect(await repo.git(["branch", "--list", "agent/demo/bad"])).toContain("agent/demo/bad");
    expect(await repo.git(["log", "main", "--merges", "--format=%s"])).toBe("Merge demo agent results (good)");
  });

  it("names the audit trail, and exits 1 when an event could not be written to it", async () => {
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": GROVE_YAML } });
    const ok = await session("session: s1\ntasks:\n  - { agent: demo, task: one, prompt: 'lines=1' }\n");
    const okFile = join(repo.root, "data", "audit", "s1.jsonl");
    expect(ok.stdout).toContain(`audit trail: ${okFile} (grove audit verify checks it)`);
    expect(ok.code).toBe(3);

    // The repository's test command tears the session's audit file mid-session (a session id is never reused).
    const file = join(repo.root, "data", "audit", "s2.jsonl");
    await writeFile(
      join(repo.dir, "grove.yaml"),
      `test: node -e "require('fs').appendFileSync(process.env.TORN_AUDIT_FILE, 'torn')"\n`,
    );
    await repo.git(["commit", "-qam", "a test that tears the audit file"]);
    const torn = await session("session: s2\ntasks:\n  - { agent: demo, task: two, prompt: 'lines=1' }\n", [], {
      TORN_AUDIT_FILE: file,
    });
    expect(torn.stderr).toContain(
      `grove: the audit trail ${file} is missing events: The audit file ${file} cannot be appended to:`,
    );
    expect(torn.code).toBe(1);
  });

  it("refuses an invalid plan with the bad key named, creating nothing", async () => {
    repo = await makeTempRepo();
    const result = await session("tasks:\n  - { agent: demo }\n");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/plan\.yaml is invalid:\n✖ .*\n {2}→ at tasks\[0\]\.task/);
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
    expect(await repo.git(["worktree", "list"])).not.toContain("wt-");
  });

  it("refuses a plan with the same agent/task twice, or an unknown profile, before creating anything", async () => {
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": GROVE_YAML } });
    const twice = await session("tasks:\n  - { agent: demo, task: dup, prompt: a }\n  - { agent: demo, task: dup, prompt: b }\n");
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("each task needs its own agent/task pair");
    const unknown = await session("tasks:\n  - { agent: demo, task: ok, prompt: a }\n  - { agent: mine, task: t1, prompt: b }\n");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown agent profile "mine". Define agents.mine.command in grove.yaml');
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
    expect(await repo.git(["worktree", "list"])).not.toContain("wt-");
  });

  it("refuses profile and agent names of Object.prototype members, and a grove.yaml profile named __proto__, creating nothing", async () => {
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": GROVE_YAML } });
    for (const name of ["__proto__", "constructor", "toString"]) {
      const byProfile = await session(`tasks:\n  - { agent: demo, task: t1, profile: ${name}, prompt: a }\n`);
      expect(byProfile.code, byProfile.stderr).toBe(2);
      expect(byProfile.stderr).toContain(
        `grove: Unknown agent profile "${name}". ${name === "__proto__" ? "Use one of" : `Define agents.${name}.command in grove.yaml`}`,
      );
      const byAgent = await session(`tasks:\n  - { agent: ${name}, task: t1, prompt: a }\n`);
      expect(byAgent.code, byAgent.stderr).toBe(2);
      expect(byAgent.stderr).toContain(`grove: Unknown agent profile "${name}"`);
    }
    await writeFile(join(repo.dir, "grove.yaml"), `${GROVE_YAML}agents:\n  __proto__:\n    command: [node, -e, "0"]\n`);
    const proto = await session("tasks:\n  - { agent: demo, task: t1, profile: __proto__, prompt: a }\n");
    expect(proto.code).toBe(2);
    expect(proto.stderr).toContain('✖ "__proto__" cannot name an agent profile; choose another name\n  → at agents');
    expect(proto.stderr).not.toMatch(/Cannot read properties|\n\s+at /);
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
    expect(await repo.git(["worktree", "list"])).not.toContain("wt-");
  });

  it("refuses a grove.yaml whose brain folder is outside the repository or in .git before any agent runs", async () => {
    for (const brain of ["../outside", "/tmp/brain", ".git", "docs/.GIT/brain"]) {
      repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": `${GROVE_YAML}brain: ${brain}\n` } });
      const result = await session("tasks:\n  - { agent: demo, task: t1, prompt: 'lines=1' }\n", ["--approve", "auto"]);
      expect(result.code, result.stdout + result.stderr).toBe(2);
      expect(result.stderr).toContain("grove.yaml is invalid:\n✖ must be a folder inside the repository, outside .git");
      expect(result.stderr).toContain("→ at brain");
      expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
      expect(await repo.git(["worktree", "list"])).not.toContain("wt-");
      await repo.cleanup();
    }
    repo = await makeTempRepo();
  });

  it("says in its summary when a merge landed but its learnings could not be deposited in the brain", async () => {
    // The brain folder names a file the repository already has: git cannot put LEARN files under it.
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": `${GROVE_YAML}brain: README.md\n` } });
    const result = await session("tasks:\n  - { agent: demo, task: learner, prompt: 'lines=1' }\n", ["--approve", "auto"]);
    const merge = await repo.git(["log", "main", "--merges", "--format=%H"]);
    expect(merge, result.stdout + result.stderr).toMatch(/^[0-9a-f]{40}$/);
    expect(await repo.git(["ls-tree", "--name-only", "main"])).toContain("README.md");
    expect(result.stdout).toMatch(
      new RegExp(`demo/learner\\s+landed\\s.*merged as ${merge.slice(0, 12)}; the brain deposit failed: `),
    );
    expect(result.stderr).toMatch(/▸ demo\/learner\s+merge: merged as [0-9a-f]{12}; the brain deposit failed: /);
  });

  it("refuses a 99,000-character prompt of multi-byte characters with the limit named, creating nothing", async () => {
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": GROVE_YAML } });
    const result = await session(`tasks:\n  - { agent: demo, task: big, prompt: '${"é".repeat(99_000)}' }\n`);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /plan\.yaml is invalid:\n✖ the prompt is 198,000 bytes of UTF-8; at most 100,000 bytes are allowed.*\n {2}→ at tasks\[0\]\.prompt/,
    );
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
    expect(await repo.git(["worktree", "list"])).not.toContain("wt-");
  });

  it("runs the profile named like the task's agent when the plan names none, as the dashboard does", async () => {
    const agent = `require("node:fs").writeFileSync("mine.txt", "by mine\\n"); for (const a of [["add", "-A"], ["commit", "-qm", "mine's work"]]) require("node:child_process").execFileSync("git", a);`;
    const config = { test: 'node -e "process.exit(0)"', agents: { mine: { command: [process.execPath, "-e", agent] } } };
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": JSON.stringify(config) } });
    const result = await session("tasks:\n  - { agent: mine, task: t1, prompt: go }\n", ["--approve", "auto"]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("starting agent mine (profile mine)");
    expect(await repo.git(["log", "--format=%s", "main"])).toContain("mine's work");
    expect(await repo.git(["ls-tree", "--name-only", "main"])).toContain("mine.txt");
  });

  it("never calls an agent that did not commit merged: the run fails, nothing lands, no learnings are deposited", async () => {
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": GROVE_YAML } });
    const main = await repo.git(["rev-parse", "main"]);
    const result = await session("tasks:\n  - { agent: demo, task: lazy, prompt: 'lines=1 no-commit' }\n", ["--approve", "auto"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("the agent made no commits: agent/demo/lazy is still at its base ");
    expect(result.stdout).toContain(
      "so there is nothing to merge. It left 2 files (demo/lazy.txt, notes/lazy.md) uncommitted in the worktree; they are kept there, not merged.",
    );
    expect(result.stdout).toContain(": 0 of 1 landed, 1 failed");
    expect(result.stdout).toMatch(/demo\/lazy\s+failed\s+run failed\s+tests skipped\s+the agent made no commits/);
    expect(result.stdout).not.toContain("every task landed");
    expect(await repo.git(["rev-parse", "main"])).toBe(main);
    expect(await repo.git(["ls-tree", "-r", "--name-only", "main"])).not.toContain("LEARN-");
    const actions = (await readFile(join(repo.root, "data", "audit", `${sessionOf(result.stdout)}.jsonl`), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { action: string }).action);
    expect(actions).toContain("run.ended");
    expect(actions.filter((a) => a.startsWith("merge.") || a.startsWith("brain."))).toEqual([]);
  });

  it("with --approve manual exits 3 with every task awaiting approval; grove approve lands one, grove reject keeps the other", async () => {
    repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": GROVE_YAML } });
    const result = await session(
      "tasks:\n  - { agent: demo, task: alpha, prompt: 'lines=1' }\n  - { agent: demo, task: beta, prompt: 'lines=1' }\n",
    );
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toContain(": 0 of 2 landed, 2 awaiting approval");
    expect(result.stdout).not.toContain("every task landed");
    const sessionId = sessionOf(result.stdout);
    // Each task's hint is a command that works when copied: it names the data dir the session used.
    expect(result.stdout).toContain(`grove approve ${sessionId}-demo-alpha --data-dir ${join(repo.root, "data")}\n`);
    expect(await repo.git(["rev-list", "--merges", "--count", "main"])).toBe("0");

    const data = ["--data-dir", join(repo.root, "data")];
    const listed = await runGrove(["approve", ...data], { cwd: repo.dir });
    expect(listed.stdout).toMatch(/agent\/demo\/alpha\s+[0-9a-f]+\s+passed\s+waiting/);

    const approved = await runGrove(["approve", "demo/alpha", "--comment", "looks right", "--as", "ana@example.com", ...data], {
      cwd: repo.dir,
    });
    expect(approved.code, approved.stderr).toBe(0);
    const mergeSha = await repo.git(["log", "--merges", "-1", "--format=%H", "main"]);
    expect(approved.stdout).toBe(`agent/demo/alpha: merged as ${mergeSha.slice(0, 12)}\n`);
    expect(await repo.git(["log", "--merges", "--format=%s", "main"])).toBe("Merge demo agent results (alpha)");

    const rejected = await runGrove(["reject", "demo/beta", "--comment", "not needed", "--as", "ana@example.com", ...data], {
      cwd: repo.dir,
    });
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(await repo.git(["branch", "--list", "agent/demo/beta"])).toContain("agent/demo/beta");
    const again = await runGrove(["approve", "demo/beta", ...data], { cwd: repo.dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("is rejected (by ana@example.com), not waiting for a decision");
    expect(await repo.git(["log", "--merges", "--format=%s", "main"])).toBe("Merge demo agent results (alpha)");

    const audit = (await readFile(join(repo.root, "data", "audit", `${sessionId}.jsonl`), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const byPerson = audit.filter((e) => JSON.stringify(e).includes("ana@example.com"));
    expect(byPerson.map((e) => e.action)).toEqual(
      expect.arrayContaining(["merge.approved", "merge.completed", "merge.rejected"]),
    );
    expect(byPerson.every((e) => e.actorType === "user")).toBe(true);
    // Three processes appended to one file; it is still one chain.
    const verified = await runGrove(["audit", "verify", join(repo.root, "data", "audit", `${sessionId}.jsonl`)], {
      cwd: repo.dir,
    });
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  });

  it("never lets a machine approve an untested run; a repository that declares test: none lands, and says so", async () => {
    repo = await makeTempRepo({ files: { "README.md": "# app\n" } });
    const untested = await session("tasks:\n  - { agent: demo, task: alpha, prompt: 'lines=1' }\n", ["--approve", "auto"]);
    expect(untested.code, untested.stderr).toBe(3);
    expect(untested.stdout).toContain("no test command configured (grove.yaml `test`): this run is untested");
    expect(untested.stdout).toMatch(
      /demo\/alpha\s+waiting\s+run succeeded\s+tests untested\s+awaiting approval, untested \(no test command\)/,
    );
    expect(await repo.git(["rev-list", "--merges", "--count", "main"])).toBe("0");

    await repo.write({ "grove.yaml": "test: none\n" });
    await repo.git(["add", "grove.yaml"]);
    await repo.git(["commit", "-qm", "no tests here"]);
    const declared = await session("tasks:\n  - { agent: demo, task: beta, prompt: 'lines=1' }\n", ["--approve", "auto"]);
    expect(declared.code, declared.stderr).toBe(0);
    expect(declared.stdout).toMatch(
      /demo\/beta\s+landed\s+run succeeded\s+tests none\s+merged as [0-9a-f]{12}, no tests \(test: none\)/,
    );
    expect(declared.stdout).toContain("every task landed (1)");
  });
});

function sessionOf(stdout: string): string {
  const match = /session (session-\d{8}-\d{4}(?:-\d+)?):/.exec(stdout);
  if (!match?.[1]) throw new Error(`no session id in:\n${stdout}`);
  return match[1];
}
