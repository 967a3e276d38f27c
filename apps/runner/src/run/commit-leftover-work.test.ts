import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runHeadlessSession } from "../headless/headless-session.ts";
import { PlanSchema } from "../headless/plan-file.ts";

// An agent like most CLIs: it edits files and exits without committing. The prompt says what it does:
// `edit` changes README.md, adds src/new.ts and an ignored debug.log; `result` writes a RESULT; `fail`
// exits 1.
const EDITING_AGENT = `
const fs = require("fs");
const words = process.argv[process.argv.length - 1].split(" ");
if (words.includes("edit")) {
  fs.appendFileSync("README.md", "edited by the agent\\n");
  fs.mkdirSync("src", { recursive: true });
  fs.writeFileSync("src/new.ts", "export const added = true;\\n");
  fs.writeFileSync("debug.log", "ignored\\n");
}
if (words.includes("result")) {
  fs.writeFileSync(process.env.GROVE_RESULT, JSON.stringify({ status: "done", summary: "Teach the README a new line", learnings: [] }));
}
process.exitCode = words.includes("fail") ? 1 : 0;
`;

let repo: TempRepo;
let dataDir: string;

async function setUp(config: Record<string, unknown> = {}): Promise<void> {
  const agents = {
    editor: { command: [process.execPath, "-e", EDITING_AGENT, "--", "{prompt}"] },
    ...(config.agents as object | undefined),
  };
  const yaml = { test: `"${process.execPath}" -e "process.exit(0)"`, ...config, agents };
  repo = await makeTempRepo({
    files: { "README.md": "# leftovers\n", ".gitignore": "*.log\n", "grove.yaml": JSON.stringify(yaml) },
  });
}

beforeEach(async () => {
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-leftovers-")));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

const session = (prompt: string, profile = "editor", approve: "auto" | "manual" = "auto") =>
  runHeadlessSession({
    repo: repo.dir,
    plan: PlanSchema.parse({ session: "session-20260101-0900", tasks: [{ agent: "editor", task: "t1", profile, prompt }] }),
    dataDir,
    approve,
  });

describe("what an agent leaves uncommitted when it exits", () => {
  it("is committed on its branch as the agent, with its RESULT summary, untracked files included and ignored ones not; then tested and merged", async () => {
    await setUp();
    const summary = await session("edit result");
    expect(summary.tasks.map((t) => [t.state, t.merge?.kind])).toEqual([["succeeded", "merged"]]);
    const [merge] = (await repo.git(["log", "main", "--merges", "--format=%H"])).split("\n");
    const commit = await repo.git(["show", "-s", "--format=%an <%ae>|%cn|%s", `${merge ?? ""}^2`]);
    expect(commit).toBe("editor <editor@agents.grove.invalid>|grove|Teach the README a new line");
    expect(await repo.git(["ls-tree", "-r", "--name-only", `${merge ?? ""}^2`])).toBe(
      ".gitignore\nREADME.md\ngrove.yaml\nsrc/new.ts",
    );
    expect(await repo.git(["show", "main:README.md"])).toBe("# leftovers\nedited by the agent");
  });

  it("names the agent's work in the message when it wrote no RESULT", async () => {
    await setUp();
    const summary = await session("edit", "editor", "manual");
    expect(summary.tasks[0]?.state).toBe("succeeded");
    expect(await repo.git(["log", "-1", "--format=%B", "agent/editor/t1"])).toMatch(
      /^editor's work \(it wrote no RESULT summary\)\n\nCommitted by grove: editor left these changes uncommitted when it exited \(run session-20260101-0900-editor-t1\)\.$/,
    );
  });

  it("stays uncommitted when the agent failed: the run fails and nothing is merged", async () => {
    await setUp();
    const summary = await session("edit result fail");
    expect(summary.tasks.map((t) => [t.state, t.merge])).toEqual([["failed", null]]);
    expect(await repo.git(["rev-list", "--count", "main..agent/editor/t1"])).toBe("0");
  });

  it.each([
    ["grove.yaml", { autoCommit: false }],
    [
      "the profile, over grove.yaml",
      {
        autoCommit: true,
        agents: { editor: { command: [process.execPath, "-e", EDITING_AGENT, "--", "{prompt}"], autoCommit: false } },
      },
    ],
  ])("stays uncommitted when %s turns autoCommit off: no commits, nothing to merge", async (_where, config) => {
    await setUp(config);
    const summary = await session("edit result");
    expect(summary.tasks[0]?.state).toBe("failed");
    expect(summary.tasks[0]?.error).toMatch(
      /^the agent made no commits: agent\/editor\/t1 is still at its base [0-9a-f]{12}, so there is nothing to merge\. It left 2 files \(README\.md, src\/new\.ts\) uncommitted/,
    );
    expect(summary.tasks[0]?.waiting).toBeNull();
  });

  it('ends a run that changed nothing as "no changes", with no merge request', async () => {
    await setUp();
    const summary = await session("result");
    expect(summary.tasks[0]?.state).toBe("no_changes");
    expect(summary.tasks[0]?.error).toMatch(
      /^no changes: the agent exited without changing anything; agent\/editor\/t1 is still at its base [0-9a-f]{12}/,
    );
    expect(summary.tasks[0]?.waiting).toBeNull();
    expect(summary.tasks[0]?.merge).toBeNull();
    expect(await repo.git(["rev-list", "--merges", "--count", "main"])).toBe("0");
  });

  it("is reported committed when a Ctrl-C kills git after it wrote the commit (its post-commit hook still ran)", async () => {
    await setUp();
    // The hook says which git runs it, then waits: the signal lands after the commit exists, however slow the machine.
    const pids = join(dataDir, "pids");
    const hook = `#!${process.execPath}
const fs = require("fs");
fs.writeFileSync(${JSON.stringify(`${pids}.tmp`)}, process.ppid + " " + process.pid);
fs.renameSync(${JSON.stringify(`${pids}.tmp`)}, ${JSON.stringify(pids)});
setInterval(() => {}, 1000);
`;
    await writeFile(join(repo.dir, ".git", "hooks", "post-commit"), hook);
    await chmod(join(repo.dir, ".git", "hooks", "post-commit"), 0o755);
    const stop = new AbortController();
    const lines: string[] = [];
    const ctrlC = (async () => {
      while (!existsSync(pids)) await new Promise((resolve) => setTimeout(resolve, 20));
      // What the terminal does: SIGINT to every process of its group (git and its hook among them), and grove stops.
      for (const pid of readFileSync(pids, "utf8").split(" ")) process.kill(Number(pid), "SIGINT");
      stop.abort("SIGINT");
    })();
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: PlanSchema.parse({
        session: "session-20260101-0900",
        tasks: [{ agent: "editor", task: "t1", profile: "editor", prompt: "edit result" }],
      }),
      dataDir,
      approve: "auto",
      signal: stop.signal,
      onLine: (_task, _stream, text) => void lines.push(text),
    });
    await ctrlC;

    const head = await repo.git(["rev-parse", "agent/editor/t1"]);
    expect(await repo.git(["log", "-1", "--format=%s", head])).toBe("Teach the README a new line");
    expect(lines.filter((l) => /^(committed what|could not commit)/.test(l))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^committed what the agent left uncommitted \\(2 files\\) on agent/editor/t1 as editor: ${head.slice(0, 12)} \\(git failed after it wrote the commit: .*killed by`,
        ),
      ),
    ]);
    // Stopped before its tests: the commit is kept on the branch, untested, with nothing to approve.
    const [task] = summary.tasks;
    expect([task?.state, task?.report?.test.status, task?.waiting]).toEqual(["interrupted", "skipped", null]);
  });
});
