import { describe, expect, it } from "vitest";
import { parseWorktreeList } from "./parse-worktree-list.ts";

describe("parseWorktreeList", () => {
  it("parses main, agent, locked, prunable, detached and bare entries", () => {
    const sha = "a".repeat(40);
    const output = [
      ["worktree /r/repo", `HEAD ${sha}`, "branch refs/heads/main"],
      ["worktree /r/repo-wt-demo-t1", `HEAD ${sha}`, "branch refs/heads/agent/demo/t1", "locked agent session in progress"],
      [
        "worktree /r/gone",
        `HEAD ${sha}`,
        "branch refs/heads/agent/x/y",
        "locked",
        "prunable gitdir file points to non-existent location",
      ],
      ["worktree /r/with space", `HEAD ${sha}`, "detached"],
      ["worktree /r/bare.git", "bare"],
    ]
      .map((lines) => lines.map((line) => `${line}\0`).join("") + "\0")
      .join("");
    const parsed = parseWorktreeList(output);
    expect(parsed.map((w) => [w.path, w.branch, w.agent, w.taskId, w.locked, w.prunable, w.detached, w.bare])).toEqual([
      ["/r/repo", "main", null, null, null, null, false, false],
      ["/r/repo-wt-demo-t1", "agent/demo/t1", "demo", "t1", "agent session in progress", null, false, false],
      ["/r/gone", "agent/x/y", "x", "y", "", "gitdir file points to non-existent location", false, false],
      ["/r/with space", null, null, null, null, null, true, false],
      ["/r/bare.git", null, null, null, null, null, false, true],
    ]);
    expect(parsed[0]?.head).toBe(sha);
  });

  it("returns nothing for empty output", () => {
    expect(parseWorktreeList("")).toEqual([]);
  });
});
