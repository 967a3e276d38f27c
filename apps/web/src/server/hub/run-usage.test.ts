import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isTerminalRunState } from "@grove/core";
import { agentEnv, carefulAgentScript, startAnthropicDouble, TURN_USAGE, waitFor } from "@grove/testing";
import { startTestStack, type TestStack } from "../test-support/stack.ts";

// The real hub and runner, the real Claude Code CLI against its model double: what the agent used reaches
// the run's row, the overview's totals, and the session's budget stops its second run.

const script = carefulAgentScript({
  file: "README.md",
  find: "# app",
  replace: "# app\n\nEdited by the agent.",
  command: "git status --short",
  summary: "Edit the readme",
});
let stack: TestStack;
let scratch: string;
let double: Awaited<ReturnType<typeof startAnthropicDouble>>;

beforeAll(async () => {
  scratch = await realpath(await mkdtemp(join(tmpdir(), "grove-usage-")));
  double = await startAnthropicDouble(script);
  const env = {
    ...(await agentEnv({ home: join(scratch, "home"), binDir: join(scratch, "bin"), anthropicUrl: double.url })),
    GROVE_MAX_RUNS: "1",
  };
  // The runner inherits this process's environment when the stack starts it: the CLI's, and one run at a time.
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    stack = await startTestStack({ repoFiles: { "README.md": "# app\n", "grove.yaml": 'test: node -e "process.exit(0)"\n' } });
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}, 60_000);
afterAll(async () => {
  await stack.close();
  await double.close();
  await rm(scratch, { recursive: true, force: true });
});

describe("a dashboard session run by the real claude CLI, with a budget", () => {
  it("stores each run's tokens, cost, turns and session id, sums them on the overview, and the budget stops the second run", async () => {
    // Claude Code states a run's cost as the run ends: the first lands, and its cost stops the second.
    const budget = { usd: 0.0001 };
    const started = await stack.caller.session.start({
      tasks: [
        { agent: "claude", taskId: "first", prompt: "Edit the readme" },
        { agent: "claude", taskId: "second", prompt: "Edit the readme again" },
      ],
      budget,
    });
    const [firstId, secondId] = started.runIds;
    const ended = async (id: string | undefined) => {
      const run = await stack.db.run.findUniqueOrThrow({ where: { id: id ?? "" } });
      return isTerminalRunState(run.state) ? run : null;
    };
    const first = await waitFor(
      () => ended(firstId),
      120_000,
      () => `the first run to end:\n${stack.runnerOutput()}`,
    );
    const second = await waitFor(
      () => ended(secondId),
      60_000,
      () => `the second run to end:\n${stack.runnerOutput()}`,
    );

    const turns = double.streamedTurns();
    expect(first.state).toBe("succeeded");
    expect(first.tokensIn).toBe(turns * (TURN_USAGE.uncachedInput + TURN_USAGE.cachedInput));
    expect(first.tokensOut).toBe(turns * TURN_USAGE.output);
    expect(first.costUsd).toBeGreaterThan(0);
    expect(first.turns).toBeGreaterThanOrEqual(5);
    expect(first.agentMs).toBeGreaterThan(0);
    expect(first.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);

    expect(second.state).toBe("cancelled");
    expect(second.error).toMatch(/^budget exceeded: spent \$0\.\d{4} of \$0\.0001$/);
    expect(second.tokensIn).toBeNull();
    expect(await stack.repo.git(["branch", "--list", "agent/claude/second"])).toBe("");
    const session = await stack.db.agentSession.findUniqueOrThrow({ where: { id: started.id } });
    expect([session.budgetUsd, session.budgetTokens]).toEqual([0.0001, null]);
    const ledger = await waitFor(() => stack.db.auditEvent.findFirst({ where: { runId: secondId, action: "run.ended" } }));
    expect(ledger.details).toContain('"budgetExceeded":true');

    const usage = await stack.caller.session.usage({ days: 1 });
    expect(usage.total).toMatchObject({ runs: 1, tokensIn: first.tokensIn, tokensOut: first.tokensOut, costUsd: first.costUsd });
    expect(usage.byAgent.map((row) => row.key)).toEqual(["claude"]);
    expect(usage.bySession.map((row) => [row.key, row.runs])).toEqual([[started.id, 1]]);
  }, 200_000);

  it("stops a run mid-run once its tokens cross the session's token budget, stores what it used, and audits the crossing", async () => {
    const budget = { tokens: 2 * (TURN_USAGE.uncachedInput + TURN_USAGE.cachedInput) };
    const started = await stack.caller.session.start({
      tasks: [{ agent: "claude", taskId: "third", prompt: "Edit the readme once more" }],
      budget,
    });
    const runId = started.runIds[0] ?? "";
    const run = await waitFor(
      async () => {
        const row = await stack.db.run.findUniqueOrThrow({ where: { id: runId } });
        return row.state === "cancelled" && row.tokensIn !== null ? row : null;
      },
      120_000,
      () => `the run to be stopped:\n${stack.runnerOutput()}`,
    );
    expect(run.error).toMatch(new RegExp(`^budget exceeded: spent \\d+ tokens of ${budget.tokens}$`));
    // Stopped before its script's last turns: it never wrote its RESULT.
    expect((run.tokensIn ?? 0) + (run.tokensOut ?? 0)).toBeLessThan(4 * (TURN_USAGE.uncachedInput + TURN_USAGE.cachedInput));
    const crossing = await waitFor(async () => {
      const rows = await stack.db.auditEvent.findMany({ where: { sessionId: started.id, action: "session.budget_exceeded" } });
      return rows.length > 0 ? rows : null;
    });
    expect(crossing).toHaveLength(1);
    expect(crossing[0]?.runId).toBe(runId);
  }, 200_000);
});
