import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runHeadlessSession } from "../headless/headless-session.ts";
import { PlanSchema } from "../headless/plan-file.ts";

// An agent that runs the git commands its prompt names (one per ";") in its worktree; "commit" commits a file of its own.
const GIT_AGENT = `
const { execFileSync } = require("child_process");
const fs = require("fs");
for (const step of process.argv[process.argv.length - 1].split(";").map((s) => s.trim())) {
  if (step !== "commit") execFileSync("git", step.split(" "));
  else {
    fs.writeFileSync("work.txt", "the agent's work\\n");
    execFileSync("git", ["add", "work.txt"]);
    execFileSync("git", ["commit", "-q", "-m", "the agent's work"]);
  }
}
`;

let repo: TempRepo;
let dataDir: string;

beforeEach(async () => {
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-off-branch-")));
  const yaml = {
    test: `"${process.execPath}" -e "process.exit(0)"`,
    agents: { gitter: { command: [process.execPath, "-e", GIT_AGENT, "--", "{prompt}"] } },
  };
  repo = await makeTempRepo({ files: { "README.md": "# off branch\n", "grove.yaml": JSON.stringify(yaml) } });
  await repo.write({ "NOTES.md": "two\n" });
  await repo.git(["add", "NOTES.md"]);
  await repo.git(["commit", "-q", "-m", "second"]);
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

const session = (prompt: string, lines: string[] = []) =>
  runHeadlessSession({
    repo: repo.dir,
    plan: PlanSchema.parse({
      session: "session-20260101-0900",
      tasks: [{ agent: "gitter", task: "t1", profile: "gitter", prompt }],
    }),
    dataDir,
    approve: "auto",
    onLine: (_task, _stream, text) => lines.push(text),
  });

describe("an agent that leaves its worktree off its branch", () => {
  it.each([
    ["a detached HEAD", "checkout -q --detach; commit", /on a detached HEAD at [0-9a-f]{12}/],
    ["another branch", "checkout -q -b elsewhere; commit", /on refs\/heads\/elsewhere at [0-9a-f]{12}/],
  ])("with its commits on %s fails, naming where they are; no merge request is pinned to them", async (_case, step, where) => {
    const base = await repo.git(["rev-parse", "main"]);
    const summary = await session(step);
    const [task] = summary.tasks;
    expect(task?.state).toBe("failed");
    expect(task?.error).toMatch(where);
    expect(task?.error).toMatch(/not on agent\/gitter\/t1: only agent\/gitter\/t1 is merged/);
    expect([task?.waiting, task?.merge, task?.report?.test.status]).toEqual([null, null, "skipped"]);
    // The branch and the integration branch are where they were; the agent's commit is left where it made it.
    expect(await repo.git(["rev-parse", "agent/gitter/t1", "main"])).toBe(`${base}\n${base}`);
  });

  it("says nothing of leftover changes when the agent committed everything it changed there", async () => {
    const lines: string[] = [];
    await session("checkout -q -b elsewhere; commit", lines);
    expect(lines.join("\n")).toContain("the agent left its worktree on refs/heads/elsewhere");
    expect(lines.join("\n")).not.toContain("leftover changes");
  });

  it("says it leaves the agent's uncommitted changes where they are, not on its branch", async () => {
    const lines: string[] = [];
    await session("checkout -q -b elsewhere; commit; rm -q NOTES.md", lines);
    expect(lines).toContain(
      "not committing the agent's leftover changes: its worktree is on refs/heads/elsewhere, not agent/gitter/t1",
    );
  });

  it("with its branch moved back onto the integration branch's history says where the branch is, not 'still at its base'", async () => {
    const base = await repo.git(["rev-parse", "main"]);
    const older = await repo.git(["rev-parse", "main~1"]);
    const summary = await session("reset -q --hard HEAD~1");
    const [task] = summary.tasks;
    expect(task?.error).not.toMatch(/still at its base/);
    expect(task?.error).toContain(`agent/gitter/t1 is at ${older.slice(0, 12)}`);
    expect(task?.error).toContain(`no commits that its base ${base.slice(0, 12)} lacks`);
  });
});
