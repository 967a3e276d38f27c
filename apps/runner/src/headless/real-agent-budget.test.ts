import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";
import {
  agentEnv,
  startAnthropicDouble,
  startOpenAiDouble,
  TURN_USAGE,
  type LoopbackServer,
  type ModelScript,
  type RealAgentCli,
} from "@grove/testing";

// A session's budget stops its agents while they run: the real claude and codex CLIs, against model doubles
// that report each turn's usage, with a script far longer than the budget lets them go.

const TURN_TOKENS = TURN_USAGE.uncachedInput + TURN_USAGE.cachedInput + TURN_USAGE.output;
const STEPS = 16;
const longScript: ModelScript = [
  { do: "edit", path: "{cwd}/readme.md", find: "# budget", replace: "# budget\n\nEdited before the budget ran out." },
  ...Array.from({ length: STEPS }, (_, i) => ({ do: "run" as const, command: `echo step ${i}` })),
  { do: "say", text: "Done." },
];

let repo: TempRepo;
let sessions = 0;
let scratch: string;
let double: (LoopbackServer & { streamedTurns(): number }) | undefined;

beforeEach(async () => {
  const test = `test: '"${process.execPath}" -e "process.exit(0)"'\n`;
  repo = await makeTempRepo({ files: { "readme.md": "# budget\n", "grove.yaml": test } });
  scratch = await realpath(await mkdtemp(join(tmpdir(), "grove-budget-")));
});
afterEach(async () => {
  await double?.close();
  double = undefined;
  await repo.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

async function runSession(
  cli: RealAgentCli,
  o: { tokens: number; tasks: string[]; flags?: string[]; session?: string; script?: ModelScript },
) {
  await double?.close();
  double =
    cli === "claude" ? await startAnthropicDouble(o.script ?? longScript) : await startOpenAiDouble(o.script ?? longScript);
  sessions++;
  const env = await agentEnv({
    home: join(scratch, `home-${sessions}`),
    binDir: join(scratch, `bin-${sessions}`),
    anthropicUrl: double.url,
    openAiUrl: double.url,
  });
  const plan = join(scratch, "plan.json");
  const tasks = o.tasks.map((task) => ({ agent: cli, task, prompt: "Edit the readme, then check it many times" }));
  await writeFile(plan, JSON.stringify({ budget: { tokens: o.tokens }, tasks, ...(o.session ? { session: o.session } : {}) }));
  const result = await runGrove(
    ["session", "run", "--plan", plan, "--data-dir", join(scratch, "data"), "--approve", "auto", ...(o.flags ?? [])],
    { cwd: repo.dir, env },
  );
  const auditDir = join(scratch, "data", "audit");
  const audit = (await readFile(join(auditDir, (await readdir(auditDir))[0] ?? ""), "utf8")).split("\n").filter(Boolean);
  return { ...result, audit: audit.map((line) => JSON.parse(line) as { action: string; details: Record<string, unknown> }) };
}

/** The tokens a "budget exceeded: spent N tokens of M" line states. */
function spentTokens(text: string, task: string): number {
  const match = new RegExp(`${task}\\s+stopped\\s+run cancelled.*budget exceeded: spent (\\d+) tokens of (\\d+)`).exec(text);
  return Number(match?.[1] ?? Number.NaN);
}

async function worktreeOf(branch: string): Promise<string | undefined> {
  const blocks = (await repo.git(["worktree", "list", "--porcelain"])).split("\n\n");
  return blocks
    .find((block) => block.includes(`branch refs/heads/${branch}`))
    ?.split("\n")[0]
    ?.replace("worktree ", "");
}

describe("a token budget crossed while the real claude CLI runs", () => {
  it("stops the running agent mid-run, keeps its work, cancels the queued task, and audits the crossing once", async () => {
    const budget = 4 * TURN_TOKENS - 100;
    const result = await runSession("claude", { tokens: budget, tasks: ["first", "second"], flags: ["--max-runs", "1"] });
    const out = result.stdout + result.stderr;
    expect(result.code, out).toBe(1);

    // Stopped within a turn of the crossing, far short of the script's end.
    const spent = spentTokens(result.stdout, "claude/first");
    expect(spent, out).toBeGreaterThanOrEqual(budget);
    expect(spent).toBeLessThan(budget + 2 * TURN_TOKENS);
    expect(double?.streamedTurns()).toBeLessThan(STEPS / 2);
    expect(result.stdout).toMatch(
      /claude\/second\s+stopped\s+run cancelled\s+tests not run\s+budget exceeded: spent \d+ tokens of/,
    );
    expect(result.stdout).toMatch(new RegExp(`budget: spent \\d+ of ${budget} tokens \\(exceeded`));

    // The stopped agent's work is where a cancel leaves it: on its branch's worktree, uncommitted, kept.
    const worktree = await worktreeOf("agent/claude/first");
    expect(worktree).toBeDefined();
    expect(await readFile(join(worktree ?? "", "readme.md"), "utf8")).toContain("Edited before the budget ran out.");
    expect(await repo.git(["branch", "--list", "agent/claude/second"])).toBe("");

    expect(result.audit.filter((e) => e.action === "session.budget_exceeded")).toHaveLength(1);
    const ended = result.audit.filter((e) => e.action === "run.ended");
    expect(ended.map((e) => [e.details.state, e.details.budgetExceeded])).toEqual([
      ["cancelled", true],
      ["cancelled", true],
    ]);
  });
});

// codex states its tokens once, as its run ends (one turn per `codex exec`): it is stopped between runs, not in one.
describe.each(["claude"] as const)("a token budget crossed while two real %s agents run at once", (cli) => {
  it("stops both: each ends cancelled with the budget's reason, long before their scripts end", async () => {
    const budget = 6 * TURN_TOKENS - 100;
    const result = await runSession(cli, { tokens: budget, tasks: ["one", "two"] });
    const out = result.stdout + result.stderr;
    expect(result.code, out).toBe(1);
    for (const task of ["one", "two"]) {
      const spent = spentTokens(result.stdout, `${cli}/${task}`);
      expect(spent, out).toBeGreaterThanOrEqual(budget);
      // What was in flight when the crossing was seen: at most a turn of each running agent.
      expect(spent).toBeLessThan(budget + 3 * TURN_TOKENS);
    }
    expect(double?.streamedTurns()).toBeLessThan(STEPS);
    expect(result.audit.filter((e) => e.action === "session.budget_exceeded")).toHaveLength(1);
  });
});

describe("a session id that grove session run is given again", () => {
  it("counts what the session's earlier runs spent: over its budget, the next run does not start", async () => {
    const session = "session-20260101-0500";
    const shortScript: ModelScript = [
      { do: "edit", path: "{cwd}/readme.md", find: "# budget", replace: "# budget\n\nEdited." },
      { do: "say", text: "Done." },
    ];
    const first = await runSession("claude", { tokens: 100_000, tasks: ["first"], session, script: shortScript });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const spent = Number(/budget: spent (\d+) of/.exec(first.stdout)?.[1]);
    expect(spent).toBeGreaterThanOrEqual(2 * TURN_USAGE.uncachedInput);

    // A new grove process, the same session, a budget the first run already used up.
    const again = await runSession("claude", { tokens: spent - 1, tasks: ["second"], session, script: shortScript });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/budget exceeded: spent \d+ tokens of \d+: this run does not start/);
    expect(again.stdout).toMatch(/claude\/second\s+stopped\s+run cancelled\s+tests not run\s+budget exceeded/);
    expect(double?.streamedTurns()).toBe(0);
    expect(await repo.git(["branch", "--list", "agent/claude/second"])).toBe("");
  });
});
