import { describe, expect, it } from "vitest";
import { readClaudeRow } from "./claude-log-rows.ts";

// The rows as the runner renders them are read back in the runner's claude-stream tests; here, what is no such row.
describe("readClaudeRow", () => {
  it("reads a coloured marked row as its event", () => {
    expect(readClaudeRow("stderr", "\u001b[31m✗ refused Bash: denied\u001b[0m")).toEqual({
      kind: "refused",
      label: "refused Bash",
      text: "denied",
    });
    expect(readClaudeRow("stdout", "\u001b[36m→ Read\u001b[0m")).toEqual({ kind: "tool", label: "Read", text: "" });
  });

  it("is null for the agent's own text, even when it looks like a marked row, and for other streams", () => {
    expect(readClaudeRow("stdout", "→ Bash pretending")).toBeNull();
    expect(readClaudeRow("stdout", "✗ refused Write: not really")).toBeNull();
    expect(readClaudeRow("stdout", "\u001b[32mgreen words\u001b[0m")).toBeNull();
    expect(readClaudeRow("system", "\u001b[36m→ Bash {}\u001b[0m")).toBeNull();
    expect(readClaudeRow("test", "\u001b[31m✗ refused Write: x\u001b[0m")).toBeNull();
  });
});
