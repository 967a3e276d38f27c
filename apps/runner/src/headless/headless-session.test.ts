import { AuditEntrySchema } from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";
import { runHeadlessSession } from "./headless-session.ts";
import { PlanSchema } from "./plan-file.ts";

let repo: TempRepo;
let dataDir: string;

beforeEach(async () => {
  process.env.GROVE_DEMO_DELAY_MS = "5";
  repo = await makeTempRepo({
    files: { "README.md": "# headless\n", "grove.yaml": `test: '"${process.execPath}" -e "process.exit(0)"'\n` },
  });
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-headless-")));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

const plan = (...tasks: { task: string; prompt: string }[]) =>
  PlanSchema.parse({
    session: "session-20260101-0900",
    tasks: tasks.map((t) => ({ agent: "demo", profile: "demo", ...t })),
  });

describe("headless session (grove session run)", () => {
  it("runs every task in parallel and, with approve auto, merges each --no-ff and cleans up", async () => {
    const lines: string[] = [];
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: plan({ task: "one", prompt: "first lines=2" }, { task: "two", prompt: "second lines=2" }),
      dataDir,
      approve: "auto",
      onLine: (task, _stream, text) => lines.push(`${task.taskId}: ${text}`),
    });
    expect(summary.isSuccess).toBe(true);
    expect(summary.tasks.map((t) => [t.taskId, t.state, t.merge?.kind])).toEqual([
      ["one", "succeeded", "merged"],
      ["two", "succeeded", "merged"],
    ]);
    expect(lines.some((l) => l.startsWith("one: ") && l.includes("worktree ready at"))).toBe(true);
    expect(await repo.git(["rev-list", "--merges", "--count", "main"])).toBe("2");
    expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
    expect(await repo.git(["worktree", "list", "--porcelain"])).not.toContain("agent/");
  });

  it("writes the session's audit file as a hash chain that grove audit verify accepts, each run's events in order", async () => {
    await runHeadlessSession({
      repo: repo.dir,
      plan: plan({ task: "one", prompt: "lines=1" }, { task: "two", prompt: "lines=1" }),
      dataDir,
      approve: "auto",
    });
    const file = join(dataDir, "audit", "session-20260101-0900.jsonl");
    const entries = (await readFile(file, "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => AuditEntrySchema.parse(JSON.parse(line)));
    expect(entries.map((e) => e.id)).toEqual(entries.map((_, i) => i + 1));
    expect(entries.every((e) => e.actorType === "runner" && e.actorId === "grove session run" && e.ts > 1_700_000_000_000)).toBe(
      true,
    );
    for (const runId of ["session-20260101-0900-demo-one", "session-20260101-0900-demo-two"]) {
      const actions = entries.filter((e) => e.runId === runId).map((e) => e.action);
      expect(actions.slice(0, 3)).toEqual(["worktree.created", "tests.ran", "run.ended"]);
      expect(actions.slice(3, 5)).toEqual(["merge.approved", "merge.queued"]);
      expect(actions).toContain("merge.completed");
    }

    const verified = await runGrove(["audit", "verify", file], { cwd: dataDir });
    expect(verified.stdout).toContain(`Audit chain verified: ${entries.length} events`);
    expect(verified.code).toBe(0);
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace('"action":"run.ended"', '"action":"run.failed"'));
    const edited = await runGrove(["audit", "verify", file], { cwd: dataDir });
    expect(edited.stderr).toMatch(/Audit chain BROKEN at event \d+: the event was edited/);
    expect(edited.code).toBe(1);
  });

  it("says so when a run reuses a worktree whose branch already holds commits", async () => {
    await runHeadlessSession({ repo: repo.dir, plan: plan({ task: "again", prompt: "lines=1" }), dataDir, approve: "manual" });
    const lines: string[] = [];
    await runHeadlessSession({
      repo: repo.dir,
      plan: { ...plan({ task: "again", prompt: "lines=1" }), session: "session-20260101-0901" },
      dataDir,
      approve: "manual",
      onLine: (_t, _s, text) => lines.push(text),
    });
    expect(lines.find((l) => l.startsWith("reusing the worktree at "))).toMatch(
      / on agent\/demo\/again \(from main at [0-9a-f]{12}; 1 commit already on it\)$/,
    );
  });

  it("records the end of a run that failed before its agent started", async () => {
    // Its worktree cannot be made: a file stands where its folder would go (an integration branch that does
    // not exist is refused before any run starts).
    await writeFile(join(repo.root, "blocker"), "");
    await repo.write({ "grove.yaml": "worktrees: ../blocker/{agent}-{task}\ntest: none\n" });
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: plan({ task: "one", prompt: "lines=1" }),
      dataDir,
      approve: "auto",
    });
    expect(summary.tasks.map((t) => t.state)).toEqual(["failed"]);
    const entries = (await readFile(join(dataDir, "audit", "session-20260101-0900.jsonl"), "utf8"))
      .split("\n")
      .filter(Boolean)
      .map((line) => AuditEntrySchema.parse(JSON.parse(line)));
    const ended = entries.find((e) => e.action === "run.ended");
    expect(ended?.details).toMatchObject({ state: "failed", error: expect.stringContaining("blocker") as unknown });
  });

  it("does not write past a damaged audit file: the session reports it and leaves the file as it was", async () => {
    // The session's own audit file is damaged while it runs (its id is never another session's).
    const file = join(dataDir, "audit", "session-20260101-0900.jsonl");
    let damaged: string | null = null;
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: plan({ task: "one", prompt: "lines=1" }),
      dataDir,
      approve: "manual",
      onLine: () => {
        if (damaged !== null) return;
        mkdirSync(join(dataDir, "audit"), { recursive: true });
        appendFileSync(file, '{"action":"not chained"}\n');
        damaged = readFileSync(file, "utf8");
      },
    });
    expect(summary.tasks[0]?.state).toBe("succeeded");
    expect(summary.audit.error).toMatch(/^The audit file .* cannot be appended to: line \d+ is not an audit event\.$/);
    expect(await readFile(file, "utf8")).toBe(damaged);
  });

  it("with approve manual keeps the branches, and a failed task makes the session fail", async () => {
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: plan({ task: "good", prompt: "lines=1" }, { task: "bad", prompt: "fail lines=1" }),
      dataDir,
      approve: "manual",
    });
    expect(summary.isSuccess).toBe(false);
    expect(summary.tasks.map((t) => [t.taskId, t.state])).toEqual([
      ["good", "succeeded"],
      ["bad", "failed"],
    ]);
    expect(summary.tasks[1]?.report?.exitCode).toBe(1);
    expect(await repo.git(["branch", "--list", "agent/*"])).toContain("agent/demo/good");
    expect(await repo.git(["rev-list", "--merges", "--count", "main"])).toBe("0");
  });

  it("rejects a malformed plan before touching the repository", async () => {
    expect(() => PlanSchema.parse({ tasks: [] })).toThrow();
    expect(await repo.git(["worktree", "list"])).not.toContain("agent/");
  });
});
