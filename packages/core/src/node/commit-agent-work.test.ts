import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isDomainError } from "../errors/domain-error.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { commitAgentWork } from "./commit-agent-work.ts";

const author = { name: "claude", email: "claude@agents.grove.invalid" };

describe("commitAgentWork", () => {
  let repo: TempRepo;
  let worktree: string;
  beforeEach(async () => {
    repo = await makeTempRepo({ files: { "README.md": "# agent work\n", ".gitignore": "build/\n" } });
    worktree = join(repo.root, "wt");
    await repo.git(["worktree", "add", "-q", "-b", "agent/claude/t1", worktree, "main"]);
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("commits changed and untracked files, not ignored ones, authored by the agent and committed by grove", async () => {
    await repo.write(
      { "README.md": "# agent work\n\nedited\n", "src/new.ts": "export {};\n", "build/out.js": "ignored\n" },
      { cwd: worktree },
    );
    const outcome = await commitAgentWork(worktree, {
      branch: "agent/claude/t1",
      author,
      message: "Edit the readme\n\nAnd add a file.",
    });

    expect(outcome).toMatchObject({ kind: "committed", files: 2 });
    const head = await repo.git(["rev-parse", "agent/claude/t1"]);
    expect(outcome.kind === "committed" && outcome.sha).toBe(head);
    expect(await repo.git(["show", "-s", "--format=%an <%ae>|%cn <%ce>|%B", head])).toBe(
      "claude <claude@agents.grove.invalid>|grove <grove@localhost>|Edit the readme\n\nAnd add a file.",
    );
    expect(await repo.git(["show", "--name-only", "--format=", head])).toBe("README.md\nsrc/new.ts");
    expect(await repo.git(["status", "--porcelain", "--ignored"], { cwd: worktree })).toBe("!! build/");
  });

  it("says clean, and makes no commit, when only ignored files changed", async () => {
    await repo.write({ "build/out.js": "ignored\n" }, { cwd: worktree });
    const before = await repo.git(["rev-parse", "agent/claude/t1"]);
    expect(await commitAgentWork(worktree, { branch: "agent/claude/t1", author, message: "nothing" })).toEqual({ kind: "clean" });
    expect(await repo.git(["rev-parse", "agent/claude/t1"])).toBe(before);
  });

  it("leaves the changes alone when the worktree is on another branch than the agent's", async () => {
    await repo.git(["switch", "-q", "-c", "elsewhere"], { cwd: worktree });
    await repo.write({ "README.md": "changed\n" }, { cwd: worktree });
    expect(await commitAgentWork(worktree, { branch: "agent/claude/t1", author, message: "x" })).toEqual({
      kind: "off-branch",
      head: "refs/heads/elsewhere",
    });
    expect(await repo.git(["status", "--porcelain"], { cwd: worktree })).toBe("M README.md");
  });

  it("runs the repository's commit hooks: a refusing hook fails it and leaves the branch where it was", async () => {
    // In the repository's own hooks folder: runGit refuses to set core.hooksPath in argv (simple-git's guard).
    const hooks = join(repo.dir, ".git", "hooks");
    await mkdir(hooks, { recursive: true });
    await writeFile(join(hooks, "pre-commit"), "#!/bin/sh\necho 'lint says no' >&2\nexit 1\n");
    await chmod(join(hooks, "pre-commit"), 0o755);
    await repo.write({ "README.md": "changed\n" }, { cwd: worktree });
    const before = await repo.git(["rev-parse", "agent/claude/t1"]);

    const error: unknown = await commitAgentWork(worktree, { branch: "agent/claude/t1", author, message: "x" }).catch(
      (e: unknown) => e,
    );
    expect(isDomainError(error) && error.process?.stderrTail).toContain("lint says no");
    expect(await repo.git(["rev-parse", "agent/claude/t1"])).toBe(before);
  });

  it.each([
    ["post-commit", "is committed, and says git was killed after it wrote the commit"],
    ["pre-commit", "fails, and the branch stays where it was"],
  ])("killed by SIGINT during its %s hook %s", async (hookName) => {
    // The hook says which git runs it and waits; then both get the SIGINT a Ctrl-C sends the terminal's group.
    const hooks = join(repo.dir, ".git", "hooks");
    const pids = join(repo.root, "pids");
    await mkdir(hooks, { recursive: true });
    const hook = `#!${process.execPath}
const fs = require("fs");
fs.writeFileSync(${JSON.stringify(`${pids}.tmp`)}, process.ppid + " " + process.pid);
fs.renameSync(${JSON.stringify(`${pids}.tmp`)}, ${JSON.stringify(pids)});
setInterval(() => {}, 1000);
`;
    await writeFile(join(hooks, hookName), hook);
    await chmod(join(hooks, hookName), 0o755);
    await repo.write({ "README.md": "changed\n" }, { cwd: worktree });
    const before = await repo.git(["rev-parse", "agent/claude/t1"]);
    const ctrlC = (async () => {
      while (!existsSync(pids)) await new Promise((resolve) => setTimeout(resolve, 20));
      for (const pid of readFileSync(pids, "utf8").split(" ")) process.kill(Number(pid), "SIGINT");
    })();
    const outcome = await commitAgentWork(worktree, { branch: "agent/claude/t1", author, message: "x" }).catch((e: unknown) => e);
    await ctrlC;
    const head = await repo.git(["rev-parse", "agent/claude/t1"]);
    if (hookName === "pre-commit") {
      expect(isDomainError(outcome) && outcome.message).toMatch(/killed by/);
      expect(head).toBe(before);
      return;
    }
    expect(outcome).toEqual({
      kind: "committed",
      sha: head,
      files: 1,
      interrupted: expect.stringMatching(/killed by/) as unknown,
    });
    expect(await repo.git(["rev-parse", `${head}^`])).toBe(before);
  });
});
