import { agentMergeMessage, type MergeStage } from "@grove/core";
import { openRepo } from "@grove/core/node";
import { agentCommit, BUDGET_FILES, BUDGET_TEST, exists, makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { landAgentBranch, type AuditSink } from "./land-agent-branch.ts";
import { createMergeQueue } from "./merge-queue.ts";
import { createRunLeases, PORTS_PER_RUN } from "../run/run-leases.ts";

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeTempRepo({
    files: {
      "README.md": "# app\n",
      "grove.yaml": `test: '${BUDGET_TEST}'\n`,
      "project-brain/LEARN-007-old.md": "# old\n",
      ...BUDGET_FILES,
    },
  });
});
afterEach(() => repo.cleanup());

type Recorded = Parameters<AuditSink>[0];
const leases = () => createRunLeases({ maxRuns: 8 });
const result = (task: string) => ({
  status: "done",
  summary: `did ${task}`,
  learnings: [{ title: `Learned in ${task}`, body: "body" }],
});

describe("landAgentBranch (the merge queue, also for `grove session run --approve auto`)", () => {
  it("queues merges per integration branch in order: of two branches red only together, only the first lands", async () => {
    const a = await agentCommit(repo, "alpha", "t1", { "parts/a.json": '{ "value": 6 }\n' });
    const b = await agentCommit(repo, "beta", "t2", { "parts/b.json": '{ "value": 6 }\n' });
    const ctx = await openRepo(repo.dir);
    const audits: Recorded[] = [];
    const stages: [string, MergeStage][] = [];
    const queue = createMergeQueue();
    const land = (branch: string, headSha: string, runId: string) =>
      landAgentBranch(
        {
          queue,
          leases: leases(),
          log: () => undefined,
          audit: (r) => audits.push(r),
          onStage: (stage) => stages.push([branch, stage]),
        },
        {
          repo: ctx,
          integration: "main",
          branch,
          headSha,
          runId,
          approval: { kind: "auto", by: "grove session run" },
          result: result(runId),
        },
      );
    // Both at once: the queue, not luck, decides the order.
    const [first, second] = await Promise.all([land("agent/alpha/t1", a.head, "run-a"), land("agent/beta/t2", b.head, "run-b")]);

    expect(first).toMatchObject({
      kind: "merged",
      worktreeRemoved: true,
      branchDeleted: true,
      mergedTreeTest: { status: "passed" },
      deposit: { files: ["project-brain/LEARN-008-learned-in-run-a.md", "project-brain/LOG-001-alpha-t1.md"] },
    });
    expect(second).toMatchObject({ kind: "tests_failed" });
    // beta was judged on alpha's landed merge and deposit (whatever it was tested on speculatively before).
    expect(second).toMatchObject({ integrationSha: await repo.git(["rev-parse", "main"]) });

    const log = (await repo.git(["log", "--format=%an|%s", "main"])).split("\n");
    expect(log.slice(0, 2)).toEqual([
      "grove|grove: deposit alpha agent learnings (t1) into project-brain/",
      `Grove Test|${agentMergeMessage("alpha", "t1")}`,
    ]);
    expect(await repo.git(["status", "--porcelain"])).toBe("");
    expect(await repo.git(["for-each-ref", "--format=%(refname) %(objectname)", "refs/grove/merged/"])).toMatch(
      new RegExp(`^refs/grove/merged/alpha/t1/\\d+ ${a.head}$`),
    );
    expect(await repo.git(["branch", "--list", "--format=%(refname:short)", "agent/*"])).toBe("agent/beta/t2");
    expect(await repo.git(["worktree", "list", "--porcelain"])).toContain("agent/beta/t2");

    const alpha = audits.filter((r) => r.branch === "agent/alpha/t1").map((r) => r.action);
    expect(alpha).toEqual([
      "merge.approved",
      "merge.queued",
      "tests.merged_tree",
      "merge.completed",
      "brain.deposited",
      "branch.snapshot",
      "worktree.removed",
      "branch.deleted",
    ]);
    expect(audits.find((r) => r.action === "merge.approved")?.details).toMatchObject({
      approval: "auto",
      approvedBy: "grove session run",
      reason: "tests passed",
    });
    expect(audits.filter((r) => r.branch === "agent/beta/t2").map((r) => r.action)).toEqual([
      "merge.approved",
      "merge.queued",
      "tests.merged_tree",
      "merge.tests_failed",
    ]);
    expect(audits.find((r) => r.action === "merge.tests_failed")?.details?.outputTail).toContain("budget exceeded: 12 > 10");
  });

  it("cleans up after landing: snapshot under refs/grove/merged, leftovers the agent never committed under refs/grove/archive", async () => {
    const a = await agentCommit(repo, "alpha", "t1", { "parts/a.json": '{ "value": 1 }\n' });
    await repo.write({ "scratch.txt": "never committed\n" }, { cwd: a.path });
    const audits: Recorded[] = [];
    const logged: string[] = [];
    const outcome = await landAgentBranch(
      { queue: createMergeQueue(), leases: leases(), log: (line) => logged.push(line), audit: (r) => audits.push(r) },
      {
        repo: await openRepo(repo.dir),
        integration: "main",
        branch: "agent/alpha/t1",
        headSha: a.head,
        approval: { kind: "user", by: "ana@example.com" },
      },
    );
    expect(outcome).toMatchObject({ kind: "merged", worktreeRemoved: true, branchDeleted: true, deposit: null });
    expect(await exists(a.path)).toBe(false);
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
    const leftovers = audits.find((r) => r.action === "worktree.removed")?.details?.leftoversRef;
    expect(leftovers).toMatch(/^refs\/grove\/archive\/alpha\/t1\/\d+$/);
    expect(await repo.git(["show", `${String(leftovers)}:scratch.txt`])).toBe("never committed");
    // The person who started it is told where those files went, not only the audit trail.
    expect(logged).toContain(
      `the worktree of agent/alpha/t1 held work never committed, which was not merged; it is kept in ${String(leftovers)} ` +
        `(grove archive restore ${String(leftovers).replace("refs/grove/archive/", "")})`,
    );
    expect(await repo.git(["for-each-ref", "--format=%(objectname)", "refs/grove/merged/alpha/t1/"])).toBe(a.head);
    expect(audits.map((r) => r.action)).toEqual([
      "merge.queued",
      "tests.merged_tree",
      "merge.completed",
      "brain.skipped",
      "branch.snapshot",
      "worktree.removed",
      "branch.deleted",
    ]);
  });

  it("says whether a person landed an untested merged tree or the repository declares no tests", async () => {
    const land = async (branch: string, headSha: string) =>
      landAgentBranch(
        { queue: createMergeQueue(), leases: leases(), log: () => undefined, audit: () => undefined },
        {
          repo: await openRepo(repo.dir),
          integration: "main",
          branch,
          headSha,
          approval: { kind: "user", by: "ana@example.com" },
        },
      );
    await repo.git(["rm", "-q", "grove.yaml"]);
    await repo.git(["commit", "-qm", "no test command"]);
    const a = await agentCommit(repo, "alpha", "t1", { "a.txt": "a\n" });
    expect(await land("agent/alpha/t1", a.head)).toMatchObject({
      kind: "merged",
      mergedTreeTest: { status: "untested", command: null },
    });
    await repo.write({ "grove.yaml": "test: none\n" });
    await repo.git(["add", "grove.yaml"]);
    await repo.git(["commit", "-qm", "no tests here"]);
    const b = await agentCommit(repo, "beta", "t2", { "b.txt": "b\n" });
    expect(await land("agent/beta/t2", b.head)).toMatchObject({
      kind: "merged",
      mergedTreeTest: { status: "none", command: null },
    });
    const merges = (await repo.git(["log", "--merges", "--format=%P", "main"])).split("\n");
    expect(merges.map((parents) => parents.split(" ")[1])).toEqual([b.head, a.head]);
  });

  it("gives the merged-tree test a slot and port block of the runs' pool, never a live run's, without waiting under the cap, and takes them back", async () => {
    const envFile = join(repo.dir, ".git", "merged-tree-test-env.json");
    const dumpEnv = `"${process.execPath}" -e "require('node:fs').writeFileSync(process.argv[1], JSON.stringify(process.env))" "${envFile}"`;
    const base = 20_000 + Math.floor(Math.random() * 1000) * 10;
    const range = { from: base, to: base + 3 * PORTS_PER_RUN - 1 };
    await repo.write({ "grove.yaml": `test: ${JSON.stringify(dumpEnv)}\nports: { from: ${range.from}, to: ${range.to} }\n` });
    await repo.git(["commit", "-qam", "test command that records its environment"]);
    const a = await agentCommit(repo, "alpha", "t1", { "parts/a.json": '{ "value": 1 }\n' });
    // A cap of one run, reached: the merge must not wait for a place, only take a slot and ports of its own.
    const pool = createRunLeases({ maxRuns: 1, isPortFree: () => Promise.resolve(true) });
    const liveRun = await pool.acquire(range, new AbortController().signal);
    expect(pool.isFull()).toBe(true);

    const outcome = await landAgentBranch(
      { queue: createMergeQueue(), leases: pool, log: () => undefined, audit: () => undefined },
      {
        repo: await openRepo(repo.dir),
        integration: "main",
        branch: "agent/alpha/t1",
        headSha: a.head,
        approval: { kind: "user", by: "ana@example.com" },
      },
    );
    expect(outcome).toMatchObject({ kind: "merged", mergedTreeTest: { status: "passed" } });
    const env = JSON.parse(await readFile(envFile, "utf8")) as Record<string, string>;
    const second = base + PORTS_PER_RUN;
    expect(liveRun?.ports.from).toBe(base);
    expect({
      PORT: env.PORT,
      GROVE_PORTS: env.GROVE_PORTS,
      GROVE_SLOT: env.GROVE_SLOT,
      GROVE_MERGE_TEST: env.GROVE_MERGE_TEST,
    }).toEqual({
      PORT: String(second),
      GROVE_PORTS: `${second}-${second + PORTS_PER_RUN - 1}`,
      GROVE_SLOT: "2",
      GROVE_MERGE_TEST: "1",
    });
    // Released with the merge: the next lease gets that slot and block again.
    const next = await pool.reserve(range);
    expect([next.slot, next.ports.from]).toEqual([2, second]);
  });
});
