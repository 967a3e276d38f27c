import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";
import {
  agentEnv,
  carefulAgentScript,
  startAnthropicDouble,
  startOpenAiDouble,
  TURN_USAGE,
  type LoopbackServer,
  type RealAgentCli,
} from "@grove/testing";

// `grove session run` with the built-in claude and codex profiles: the real CLIs (pinned devDependencies),
// their models scripted on loopback. Nothing leaves the machine: each CLI gets a home of its own and no
// telemetry or update checks.

// The repository's test command fails unless the agent's edit is in the tree it tests.
const GROVE_YAML = `test: 'node -e "process.exit(require(''fs'').readFileSync(''readme.md'',''utf8'').includes(''Edited by the agent'') ? 0 : 1)"'\n`;

let repo: TempRepo;
let scratch: string;
let double: (LoopbackServer & { streamedTurns(): number }) | undefined;

beforeEach(async () => {
  repo = await makeTempRepo({ files: { "readme.md": "# real agents\n", "grove.yaml": GROVE_YAML, ".gitignore": "*.log\n" } });
  scratch = await realpath(await mkdtemp(join(tmpdir(), "grove-real-session-")));
});
afterEach(async () => {
  await double?.close();
  double = undefined;
  await repo.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

const script = carefulAgentScript({
  file: "readme.md",
  find: "# real agents",
  replace: "# real agents\n\nEdited by the agent.",
  // A careful agent checks its work; the log file it leaves is ignored, so never committed.
  command: "git status --short > status.log && cat status.log",
  summary: "Add a line to readme.md",
});

async function runSession(cli: RealAgentCli, o: { budget?: object; tasks?: string[]; flags?: string[] } = {}) {
  double = cli === "claude" ? await startAnthropicDouble(script) : await startOpenAiDouble(script);
  const env = await agentEnv({
    home: join(scratch, "home"),
    binDir: join(scratch, "bin"),
    anthropicUrl: double.url,
    openAiUrl: double.url,
  });
  const plan = join(scratch, "plan.yaml");
  const tasks = (o.tasks ?? ["readme"]).map((task) => ({ agent: cli, task, profile: cli, prompt: "Add a line to readme.md" }));
  await writeFile(plan, JSON.stringify({ tasks, ...(o.budget ? { budget: o.budget } : {}) }));
  return runGrove(
    ["session", "run", "--plan", plan, "--data-dir", join(scratch, "data"), "--approve", "auto", ...(o.flags ?? [])],
    { cwd: repo.dir, env },
  );
}

describe.each(["claude", "codex"] as const)("a headless session with the built-in %s profile and the real CLI", (cli) => {
  it("reads its CONTEXT-PACK, edits, and its work is committed as the agent, tested, merged and deposited in the brain", async () => {
    const result = await runSession(cli);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("every task landed");

    // The agent read its CONTEXT-PACK in the run folder and wrote its RESULT there: no fallback needed.
    expect(double?.requests.some((r) => r.body.includes("write your RESULT as JSON to"))).toBe(true);
    expect(result.stdout).not.toContain("wrote no RESULT");
    expect(result.stdout).toMatch(
      /committed what the agent left uncommitted \(1 file\) on agent\/\w+\/readme as \w+: [0-9a-f]{12}/,
    );

    // On the integration branch: a merge commit bringing in the agent's commit, authored by the agent.
    expect(await repo.git(["show", "main:readme.md"])).toBe("# real agents\n\nEdited by the agent.");
    const [merge] = (await repo.git(["log", "main", "--merges", "--format=%H"])).split("\n");
    expect(merge).toMatch(/^[0-9a-f]{40}$/);
    const agentCommit = await repo.git(["log", "-1", "--format=%an|%s", `${merge ?? ""}^2`]);
    expect(agentCommit).toBe(`${cli}|Add a line to readme.md`);
    expect(await repo.git(["ls-tree", "-r", "--name-only", "main"])).not.toContain("status.log");

    // The RESULT's learning is in the brain.
    const brain = (await repo.git(["ls-tree", "-r", "--name-only", "main", "--", "project-brain"])).split("\n").filter(Boolean);
    expect(brain.length).toBeGreaterThan(0);
    const learnings = await Promise.all(brain.map((path) => repo.git(["show", `main:${path}`])));
    expect(learnings.join("\n")).toContain("Scripted learning");

    // What the model double reported it used is in the summary: every streamed turn's tokens, and the
    // cost where the CLI states one (Claude Code, which prices tokens itself; Codex states none).
    const turns = double?.streamedTurns() ?? 0;
    expect(turns).toBeGreaterThanOrEqual(5);
    const tokens = `${turns * (TURN_USAGE.uncachedInput + TURN_USAGE.cachedInput)} in / ${turns * TURN_USAGE.output} out tokens`;
    const usageLines = result.stdout.split("\n").filter((line) => line.trim().startsWith("usage"));
    expect(usageLines).toHaveLength(1);
    const usageLine = usageLines[0] ?? "";
    expect(usageLine).toContain(`usage of ${cli}: ${tokens}`);
    if (cli === "claude") {
      const cost = /claude success after \d+ turn\(s\), (\$\d+\.\d{4})/.exec(result.stdout)?.[1];
      expect(cost).toBeDefined();
      expect(usageLine).toContain(`${tokens}, ${cost ?? "?"}, `);
    } else {
      expect(usageLine).toContain(`${tokens}, no cost reported, `);
      expect(usageLine).not.toContain("$");
      // The codex log is rendered, not raw JSON.
      expect(result.stdout).toContain("→ shell");
      expect(result.stdout).not.toContain('{"type":"item.completed"');
    }
  });
});

// Claude Code states a run's cost in its final `result`, codex its tokens in its one `turn.completed`: the
// budget is crossed as the first run ends, which lands; the session's next run never starts.
describe.each([
  ["codex", { tokens: 1000 }, String.raw`\d+ tokens of 1000`],
  ["claude", { usd: 0.0001 }, String.raw`\$0\.\d{4} of \$0\.0001`],
] as const)("a session with a budget, run by the real %s CLI", (cli, budget, spent) => {
  it("stops the plan's second task once the first spent the budget: it ends cancelled, its worktree never made", async () => {
    const result = await runSession(cli, { budget, tasks: ["first", "second"], flags: ["--max-runs", "1"] });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`${cli}/first\\s+landed`));
    expect(result.stdout).toMatch(
      new RegExp(`${cli}/second\\s+stopped\\s+run cancelled\\s+tests not run\\s+budget exceeded: spent ${spent}`),
    );
    expect(await repo.git(["branch", "--list", `agent/${cli}/second`])).toBe("");
    // Only the first task's agent talked to the model.
    expect(double?.streamedTurns()).toBeLessThan(20);
    const audit = await readFile(
      join(scratch, "data", "audit", (await readdir(join(scratch, "data", "audit")))[0] ?? ""),
      "utf8",
    );
    expect(audit).toMatch(/"action":"run.ended".*"budgetExceeded":true/);
  });
});

describe("a headless session with both real CLIs", () => {
  it("states usage per agent CLI: each its own tokens and turns, cost where the CLI states one", async () => {
    const claude = await startAnthropicDouble(script);
    // Codex only answers, in RESULT's schema: it changes nothing, and its run still reports what it used.
    const codex = await startOpenAiDouble([
      { do: "say", text: JSON.stringify({ status: "done", summary: "Nothing to change." }) },
    ]);
    try {
      const env = await agentEnv({
        home: join(scratch, "home"),
        binDir: join(scratch, "bin"),
        anthropicUrl: claude.url,
        openAiUrl: codex.url,
      });
      const plan = join(scratch, "plan.yaml");
      const tasks = (["claude", "codex"] as const).map((cli) => ({ agent: cli, task: "readme", profile: cli, prompt: "Look" }));
      await writeFile(plan, JSON.stringify({ tasks }));
      const result = await runGrove(["session", "run", "--plan", plan, "--data-dir", join(scratch, "data")], {
        cwd: repo.dir,
        env,
      });
      const tokens = (double: { streamedTurns(): number }) =>
        `${double.streamedTurns() * (TURN_USAGE.uncachedInput + TURN_USAGE.cachedInput)} in / ${double.streamedTurns() * TURN_USAGE.output} out tokens`;
      const usageLines = result.stdout.split("\n").filter((line) => line.trim().startsWith("usage"));
      expect(usageLines, result.stdout).toEqual([
        expect.stringMatching(
          new RegExp(
            `^  usage of claude: ${tokens(claude)}, \\$\\d+\\.\\d{4}, \\d+ turn\\(s\\), [\\d.]+ s of agent time \\(the CLI's count, or its process's where the CLI states none; 1 run\\(s\\) reported\\)`,
          ),
        ),
        expect.stringMatching(
          new RegExp(
            `^  usage of codex: ${tokens(codex)}, no cost reported, 1 turn\\(s\\), [\\d.]+ s of agent time \\(the CLI's count, or its process's where the CLI states none; 1 run\\(s\\) reported\\)`,
          ),
        ),
      ]);
    } finally {
      await claude.close();
      await codex.close();
    }
  });
});
