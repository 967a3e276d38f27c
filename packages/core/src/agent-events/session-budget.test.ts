import { describe, expect, it } from "vitest";
import { addUsage, EMPTY_TOTALS, formatUsage } from "./agent-usage.ts";
import { budgetExceeded, SessionBudgetSchema } from "./session-budget.ts";

const run = { tokensIn: 60, tokensOut: 30, costUsd: 0.5, turns: 3, durationMs: 100 };

describe("session budget", () => {
  it("is exceeded once the finished runs reach either limit", () => {
    const one = addUsage(EMPTY_TOTALS, run);
    expect(budgetExceeded({ tokens: 91 }, one)).toBeNull();
    expect(budgetExceeded({ tokens: 90 }, one)).toMatch(
      /^budget exceeded: the session's runs used 90 tokens of its budget of 90/,
    );
    expect(budgetExceeded({ usd: 1 }, one)).toBeNull();
    expect(budgetExceeded({ usd: 1 }, addUsage(one, run))).toMatch(/cost \$1\.0000 of its budget of \$1/);
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
});
