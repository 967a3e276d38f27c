import { describe, expect, it } from "vitest";
import { addUsage, EMPTY_TOTALS, formatSpendOfBudget, formatUsage, isOverBudget } from "./agent-usage.ts";
import { budgetExceeded, describeUnenforceableBudget, SessionBudgetSchema } from "./session-budget.ts";

const run = { tokensIn: 60, tokensOut: 30, costUsd: 0.5, turns: 3, durationMs: 100 };

describe("session budget", () => {
  it("is exceeded once the finished runs reach either limit", () => {
    const one = addUsage(EMPTY_TOTALS, run);
    expect(budgetExceeded({ tokens: 91 }, one)).toBeNull();
    expect(budgetExceeded({ tokens: 90 }, one)).toBe("budget exceeded: spent 90 tokens of 90");
    expect(budgetExceeded({ usd: 1 }, one)).toBeNull();
    expect(budgetExceeded({ usd: 1 }, addUsage(one, run))).toBe("budget exceeded: spent $1.00 of $1.00");
    expect(budgetExceeded(undefined, addUsage(one, run))).toBeNull();
  });

  it("does not count a cost nobody reported against a USD budget", () => {
    const codexOnly = addUsage(EMPTY_TOTALS, { ...run, costUsd: null });
    expect(codexOnly.costUsd).toBeNull();
    expect(budgetExceeded({ usd: 0.01 }, codexOnly)).toBeNull();
    expect(formatUsage(codexOnly)).toBe("60 in / 30 out tokens");
    expect(formatUsage(addUsage(codexOnly, run))).toBe("120 in / 60 out tokens, $0.5000");
  });

  it("needs a limit, and only positive ones", () => {
    expect(SessionBudgetSchema.safeParse({}).success).toBe(false);
    expect(SessionBudgetSchema.safeParse({ usd: 0 }).success).toBe(false);
    expect(SessionBudgetSchema.safeParse({ tokens: 1.5 }).success).toBe(false);
    expect(SessionBudgetSchema.safeParse({ usd: 2.5, tokens: 100_000 }).success).toBe(true);
  });

  it("says which agent a budget could not stop: codex under a USD-only budget, any plain-text CLI", () => {
    const codex = { profile: "codex", format: "codex-json" } as const;
    expect(describeUnenforceableBudget({ usd: 1 }, codex)).toMatch(/codex reports no cost.*set a token budget/);
    expect(describeUnenforceableBudget({ usd: 1, tokens: 5000 }, codex)).toBeNull();
    expect(describeUnenforceableBudget({ tokens: 5000 }, codex)).toBeNull();
    expect(describeUnenforceableBudget({ usd: 1 }, { profile: "claude", format: "claude-stream-json" })).toBeNull();
    expect(describeUnenforceableBudget({ tokens: 5 }, { profile: "aider", format: "text" })).toMatch(/reports no tokens or cost/);
    expect(describeUnenforceableBudget(undefined, { profile: "aider", format: "text" })).toBeNull();
  });

  it("shows the spend against each limit", () => {
    const spent = addUsage(EMPTY_TOTALS, { ...run, tokensIn: 3000, tokensOut: 100 });
    expect(formatSpendOfBudget({ tokens: 3000, usd: 2 }, spent)).toBe("3100 of 3000 tokens, $0.5000 of $2.00");
    expect(isOverBudget({ tokens: 3000, usd: 2 }, spent)).toBe(true);
    expect(isOverBudget({ tokens: 3101, usd: 2 }, spent)).toBe(false);
    expect(isOverBudget({ usd: 0.5 }, spent)).toBe(true);
    expect(isOverBudget({ usd: 0.01 }, { ...spent, costUsd: null })).toBe(false);
  });
});
