import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { agentEnv } from "@grove/testing";
import { mkdtemp, readdir, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRunnerDaemon } from "../daemon.ts";
import { runGrove } from "../test-support/grove-process.ts";
import { startTestHub, waitFor } from "../test-support/test-hub.ts";

// A session whose agents cannot run, or whose budget could not stop them, is refused whole before anything
// exists: no worktree, no branch, no run record, no audit file. Tried headless (`grove session run`, a real
// process) and through the daemon's session:start (a real hub socket).

const GROVE_YAML = [
  `test: '"${process.execPath}" -e "process.exit(0)"'`,
  "agents:",
  "  mine:",
  '    command: ["grove-no-such-cli-for-tests", "{prompt}"]',
  "  yours:",
  '    command: ["grove-another-missing-cli", "--", "{prompt}"]',
].join("\n");

let repo: TempRepo;
let scratch: string;

beforeEach(async () => {
  repo = await makeTempRepo({ files: { "README.md": "# preflight\n", "grove.yaml": `${GROVE_YAML}\n` } });
  scratch = await realpath(await mkdtemp(join(tmpdir(), "grove-preflight-")));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

async function expectNothingCreated(dataDir: string) {
  expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
  expect(await repo.git(["worktree", "list"])).not.toContain("agent");
  expect(await readdir(join(dataDir, "runs")).catch(() => [])).toEqual([]);
  expect(await readdir(join(dataDir, "audit")).catch(() => [])).toEqual([]);
}

let runs = 0;
async function sessionRun(tasks: object[], budget?: object) {
  const plan = join(scratch, "plan.json");
  await writeFile(plan, JSON.stringify({ tasks, ...(budget ? { budget } : {}) }));
  runs++;
  const env = await agentEnv({ home: join(scratch, `home-${runs}`), binDir: join(scratch, `bin-${runs}`) });
  return runGrove(["session", "run", "--plan", plan, "--data-dir", join(scratch, "data")], { cwd: repo.dir, env });
}

describe("grove session run refuses a session its agents cannot run", () => {
  it("names every missing CLI and creates nothing, the demo task included", async () => {
    const result = await sessionRun([
      { agent: "demo", task: "fine", prompt: "write notes" },
      { agent: "you", task: "one", profile: "yours", prompt: "edit" },
      { agent: "me", task: "two", profile: "mine", prompt: "edit" },
    ]);
    expect(result.code, result.stdout + result.stderr).not.toBe(0);
    expect(result.stderr).toContain("The session was not started: CLIs its tasks need are not installed (nothing was created)");
    expect(result.stderr).toMatch(/profile "yours": not installed: "grove-another-missing-cli" is not an executable/);
    expect(result.stderr).toMatch(/profile "mine": not installed: "grove-no-such-cli-for-tests"/);
    expect(result.stderr).not.toContain("ENOENT");
    await expectNothingCreated(join(scratch, "data"));
  });

  it("refuses a USD-only budget for codex, which reports no cost, and any budget for a CLI that reports nothing", async () => {
    const tasks = [{ agent: "codex", task: "one", prompt: "edit" }];
    const refused = await sessionRun(tasks, { usd: 1 });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/codex reports no cost: a USD budget cannot stop it; set a token budget/);
    await expectNothingCreated(join(scratch, "data"));

    const demo = await sessionRun([{ agent: "demo", task: "one", prompt: "write notes" }], { tokens: 1000 });
    expect(demo.stderr).toMatch(/profile "demo" prints plain text and reports no tokens or cost: a budget cannot stop it/);
    await expectNothingCreated(join(scratch, "data"));
  });

  it("lists the session's budget in its --help", async () => {
    const help = await runGrove(["session", "run", "--help"], { cwd: repo.dir });
    expect(help.stdout).toMatch(/plan\.yaml: \{ session\?, integration\?, budget\?: \{ usd\?, tokens\? \}, tasks/);
    expect(help.stdout).toContain("codex reports no cost: give it a token budget");
  });
});

describe("the daemon's session:start refuses a session its agents cannot run", () => {
  it("answers with the missing CLIs and starts no run, the runnable task included", async () => {
    const token = "preflight-token";
    const hub = await startTestHub({ token });
    const dataDir = join(scratch, "data");
    const daemon = await startRunnerDaemon({ hubUrl: hub.url, token, dataDir, repos: [repo.dir] });
    try {
      await waitFor(() => hub.store.events.some((e) => e.event === "runner:hello"), "runner:hello");
      const task = (taskId: string, agent: string, profile: string) => ({
        runId: `run-${taskId}`,
        agent,
        taskId,
        profile,
        prompt: "edit",
      });
      const ack = await hub.startSession({
        sessionId: "session-20260101-0700",
        repoPath: repo.dir,
        integration: "main",
        tasks: [task("fine", "demo", "demo"), task("two", "me", "mine")],
      });
      expect(ack.ok).toBe(false);
      expect(ack.ok ? "" : ack.error).toMatch(/profile "mine": not installed: "grove-no-such-cli-for-tests"/);
      expect(hub.store.events.filter((e) => e.event === "run:state")).toEqual([]);
      await expectNothingCreated(dataDir);
    } finally {
      await daemon.stop();
      await hub.close();
    }
  });
});
