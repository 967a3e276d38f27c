import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DepositSource } from "../brain/plan-deposit.ts";
import type { Result } from "../schemas/result.ts";
import { runTsScript } from "../test-support/spawn-tsx.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { depositBrain } from "./deposit-brain.ts";

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeTempRepo({
    files: {
      "README.md": "# app\n",
      "project-brain/LEARN-029-git-worktrees.md": "# seed\n",
      "project-brain/LOG-004-old.md": "# log\n",
    },
  });
});
afterEach(() => repo.cleanup());

const result = (title: string): Result => ({
  status: "done",
  summary: `Summary of ${title}.`,
  learnings: [{ title, body: `Body of ${title}.`, tags: ["t"] }],
});
const source = (taskId: string): DepositSource => ({
  runId: `run-${taskId}`,
  sessionId: "session-20260101-1200",
  agent: "demo",
  taskId,
  branch: `agent/demo/${taskId}`,
  headSha: "a".repeat(40),
  mergeSha: "b".repeat(40),
  approvedBy: "ana@example.com",
  at: Date.UTC(2026, 0, 1),
});

async function brainFiles(): Promise<string[]> {
  return (await repo.git(["ls-tree", "-r", "--name-only", "main", "--", "project-brain"])).split("\n");
}

describe("depositBrain", () => {
  it("commits numbered LEARN and LOG files as grove onto main and brings the checkout along", async () => {
    const outcome = await depositBrain({
      repo: repo.dir,
      into: "main",
      brain: "project-brain",
      result: result("Worktrees need prune"),
      source: source("t1"),
    });
    expect(outcome).toMatchObject({
      kind: "deposited",
      files: ["project-brain/LEARN-030-worktrees-need-prune.md", "project-brain/LOG-005-demo-t1.md"],
    });
    expect(await repo.git(["rev-parse", "main"])).toBe(outcome.kind === "deposited" ? outcome.sha : "");
    expect(await repo.git(["log", "-1", "--format=%an <%ae>|%s", "main"])).toBe(
      "grove <grove@localhost>|grove: deposit demo agent learnings (t1) into project-brain/",
    );
    expect(await repo.git(["status", "--porcelain"])).toBe("");
    const learn = await readFile(join(repo.dir, "project-brain/LEARN-030-worktrees-need-prune.md"), "utf8");
    expect(learn).toMatch(/^---\ntype: LEARN\nid: LEARN-030\n/);
    expect(learn).toContain(`merge: ${"b".repeat(40)}`);
    expect(learn).toContain("branch: agent/demo/t1");
    expect(learn).toContain("run: run-t1");
  });

  it("never hands out a number twice when deposits race, in one process and across processes", async () => {
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        depositBrain({
          repo: repo.dir,
          into: "main",
          brain: "project-brain",
          result: result(`In-process ${i}`),
          source: source(`p${i}`),
        }),
      ),
    );
    const script = fileURLToPath(new URL("../test-support/race-deposit.ts", import.meta.url));
    const children = await Promise.all([0, 1].map((n) => runTsScript(script, [repo.dir, `c${n}`, "4"])));
    for (const child of children) expect(child.stdout).toContain('"deposited":4');

    const files = await brainFiles();
    const numbers = (kind: string) =>
      files
        .map((f) => new RegExp(`/${kind}-(\\d+)-`).exec(f)?.[1])
        .filter((n) => n !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
    expect(numbers("LEARN")).toEqual(Array.from({ length: 15 }, (_, i) => 29 + i));
    expect(numbers("LOG")).toEqual(Array.from({ length: 15 }, (_, i) => 4 + i));
    expect(await repo.git(["rev-list", "--count", "main"])).toBe("15");
    expect(await repo.git(["status", "--porcelain"])).toBe("");
  });

  it("does not deposit twice for one merge (a resent request)", async () => {
    await repo.git(["commit", "-q", "--allow-empty", "-m", "stands in for a merge commit"]);
    const mergeSha = await repo.git(["rev-parse", "main"]);
    const input = {
      repo: repo.dir,
      into: "main",
      brain: "project-brain",
      result: result("Once"),
      source: { ...source("t1"), mergeSha },
    };
    const first = await depositBrain(input);
    const again = await depositBrain(input);
    expect(again).toEqual({ ...first, isRepeat: true });
    expect(await repo.git(["rev-parse", "main"])).toBe(first.kind === "deposited" ? first.sha : "");
  });

  it("refuses when the integration checkout is dirty, and changes nothing", async () => {
    await writeFile(join(repo.dir, "README.md"), "# local edit\n");
    const before = await repo.git(["rev-parse", "main"]);
    const outcome = await depositBrain({
      repo: repo.dir,
      into: "main",
      brain: "project-brain",
      result: result("x"),
      source: source("t1"),
    });
    expect(outcome.kind === "refused" ? outcome.reason : "").toMatch(/uncommitted changes[\s\S]*README\.md/);
    expect(await repo.git(["rev-parse", "main"])).toBe(before);
  });
});
