import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { highestBrainNumbers } from "./brain-numbers.ts";
import { planBrainDeposit, type DepositSource } from "./plan-deposit.ts";
import { slugify } from "./slug.ts";

const source: DepositSource = {
  runId: "run-1",
  sessionId: "session-20260101-1200",
  agent: "claude",
  taskId: "t-42",
  branch: "agent/claude/t-42",
  headSha: "a".repeat(40),
  mergeSha: "b".repeat(40),
  approvedBy: "ana@example.com",
  at: Date.UTC(2026, 0, 2, 3, 4, 5),
};

describe("brain deposit planning", () => {
  it("numbers new files after the highest LEARN and LOG numbers in use, anywhere in the folder", () => {
    expect(
      highestBrainNumbers([
        "project-brain/LEARN-029-git.md",
        "project-brain/old/LEARN-007.md",
        "project-brain/LOG-12-x.md",
        "project-brain/LEARNING.md",
        "README.md",
      ]),
    ).toEqual({
      LEARN: 29,
      LOG: 12,
    });
    const files = planBrainDeposit({
      brain: "project-brain",
      existingPaths: ["project-brain/LEARN-029-git.md", "project-brain/LOG-012-x.md"],
      result: {
        status: "done",
        summary: "Did the thing.",
        learnings: [
          { title: "Ports collide: use the range", body: "Each agent gets its own range.", tags: ["ports"] },
          { title: "Ünïcode tïtle!", body: "b" },
        ],
        files: ["src/a.ts"],
        followUps: ["Write docs."],
      },
      source,
    });
    expect(files.map((f) => f.path)).toEqual([
      "project-brain/LEARN-030-ports-collide-use-the-range.md",
      "project-brain/LEARN-031-unicode-title.md",
      "project-brain/LOG-013-claude-t-42.md",
    ]);
    const [learn, , log] = files;
    const front = parse(learn?.content.split("---\n")[1] ?? "") as Record<string, unknown>;
    expect(front).toMatchObject({
      type: "LEARN",
      id: "LEARN-030",
      tags: ["ports"],
      created: "2026-01-02T03:04:05.000Z",
      source: {
        run: "run-1",
        agent: "claude",
        task: "t-42",
        branch: "agent/claude/t-42",
        merge: "b".repeat(40),
        approved_by: "ana@example.com",
      },
    });
    expect(learn?.content).toContain("# LEARN-030: Ports collide: use the range\n\nEach agent gets its own range.\n");
    expect(log?.content).toContain("learnings:\n  - LEARN-030\n  - LEARN-031");
    expect(log?.content).toContain("Did the thing.");
    expect(log?.content).toContain("- Write docs.");
  });

  it("widens numbers past 999 and slugs anything", () => {
    const [file] = planBrainDeposit({
      brain: "brain/",
      existingPaths: ["brain/LEARN-999.md"],
      result: { status: "done", summary: "", learnings: [{ title: "???", body: "" }] },
      source,
    });
    expect(file?.path).toBe("brain/LEARN-1000-note.md");
    expect(slugify("  A -- b__c  ")).toBe("a-b-c");
  });
});
