import { AuditEntrySchema } from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { spawnSync } from "node:child_process";
import { access, mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";
import { appendLocalAudit } from "./audit-file.ts";
import { claimSession } from "./claim-session-id.ts";

// A headless session's run ids, merge requests and audit file are named after its id: a session of its own
// gets an id no other has; a plan naming an existing session continues it, but never while another grove
// process runs it, and never runs one of its tasks again (that would write over the records of what happened).

let repo: TempRepo;
let dataDir: string;
beforeEach(async () => {
  repo = await makeTempRepo({ files: { "README.md": "# ids\n", "grove.yaml": 'test: node -e "process.exit(0)"\n' } });
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-session-ids-")));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

async function runSession(name: string, plan: string) {
  const planPath = join(repo.root, `${name}.yaml`);
  await writeFile(planPath, plan);
  const args = ["session", "run", "--plan", planPath, "--data-dir", dataDir, "--approve", "manual", "--json"];
  return runGrove(args, { cwd: repo.dir, env: { GROVE_DEMO_DELAY_MS: "5" } });
}

const auditOf = async (sessionId: string) =>
  (await readFile(join(dataDir, "audit", `${sessionId}.jsonl`), "utf8"))
    .trim()
    .split("\n")
    .map((line) => AuditEntrySchema.parse(JSON.parse(line)));

const named = (session: string, ...tasks: string[]) =>
  `session: ${session}\ntasks:\n${tasks.map((t) => `  - { agent: demo, task: ${t}, prompt: "lines=1" }\n`).join("")}`;
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const mergeNames = async () => (await readdir(join(dataDir, "merges"))).filter((n) => n.endsWith(".json")).sort();
const readOrNull = (path: string) => readFile(path, "utf8").catch(() => null);
/** Everything a session run could write over or add: a run's records, the audit trail, branches, worktrees, claims. */
const snapshot = async (runId: string) => ({
  audit: await readOrNull(join(dataDir, "audit", "s-fixed.jsonl")),
  run: await readOrNull(join(dataDir, "runs", runId, "run.json")),
  merge: await readOrNull(join(dataDir, "merges", `${runId}.json`)),
  merges: await mergeNames(),
  runs: (await readdir(join(dataDir, "runs"))).sort(),
  sessions: (await readdir(join(dataDir, "sessions"), { recursive: true })).sort(),
  branches: await repo.git(["branch", "--list"]),
  worktrees: await repo.git(["worktree", "list", "--porcelain"]),
});

describe("headless session ids", () => {
  it("two grove session run started at once (same minute) get their own ids, and each keeps its own records", async () => {
    const plan = (task: string) => `tasks:\n  - { agent: demo, task: ${task}, prompt: "lines=2" }\n`;
    const [first, second] = await Promise.all([runSession("a", plan("alpha")), runSession("b", plan("beta"))]);
    // Exit 3: each task's merge request waits for grove approve.
    expect(first.code, first.stderr).toBe(3);
    expect(second.code, second.stderr).toBe(3);
    const ids = [first, second].map((r) => (JSON.parse(r.stdout) as { sessionId: string }).sessionId);
    expect(ids[0]).not.toBe(ids[1]);
    for (const id of ids) expect(id).toMatch(/^session-\d{8}-\d{4}(-\d+)?$/);

    for (const [id, task] of [
      [ids[0], "alpha"],
      [ids[1], "beta"],
    ] as const) {
      const events = await auditOf(id ?? "");
      expect(events.some((e) => e.action === "run.ended" && e.runId === `${id}-demo-${task}`)).toBe(true);
      expect(events.every((e) => e.sessionId === id)).toBe(true);
    }
    const merges = (await readdir(join(dataDir, "merges"))).filter((n) => n.endsWith(".json")).sort();
    expect(merges).toEqual([`${ids[0]}-demo-alpha.json`, `${ids[1]}-demo-beta.json`].sort());
  });

  it("a plan naming an existing session continues it: the new task joins, its audit trail goes on, chained", async () => {
    expect((await runSession("a", named("s-fixed", "alpha"))).code).toBe(3);
    const before = await readFile(join(dataDir, "audit", "s-fixed.jsonl"), "utf8");
    const again = await runSession("b", named("s-fixed", "beta"));
    expect(again.code, again.stderr).toBe(3);
    expect((JSON.parse(again.stdout) as { sessionId: string }).sessionId).toBe("s-fixed");

    const after = await readFile(join(dataDir, "audit", "s-fixed.jsonl"), "utf8");
    expect(after.startsWith(before)).toBe(true);
    const verified = await runGrove(["audit", "verify", join(dataDir, "audit", "s-fixed.jsonl")], { cwd: repo.dir });
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    const events = await auditOf("s-fixed");
    for (const task of ["alpha", "beta"])
      expect(events.some((e) => e.action === "run.ended" && e.runId === `s-fixed-demo-${task}`)).toBe(true);
    expect(await mergeNames()).toEqual(["s-fixed-demo-alpha.json", "s-fixed-demo-beta.json"]);
    expect(await exists(join(dataDir, "sessions", "s-fixed", "running"))).toBe(false);
  });

  it("refuses a task that already ran in the named session, naming its records, changing nothing", async () => {
    expect((await runSession("a", named("s-fixed", "alpha"))).code).toBe(3);
    const before = await snapshot("s-fixed-demo-alpha");
    const again = await runSession("b", named("s-fixed", "gamma", "alpha"));
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('run "s-fixed-demo-alpha" already has its run record');
    expect(again.stderr).toContain("its merge request");
    expect(again.stderr).toMatch(/\d+ audit event\(s\) in audit\/s-fixed\.jsonl/);
    expect(await snapshot("s-fixed-demo-alpha")).toEqual(before);
    expect(await repo.git(["branch", "--list", "agent/demo/gamma"])).toBe("");
    expect(await exists(join(dataDir, "runs", "s-fixed-demo-gamma"))).toBe(false);
    expect(await exists(join(dataDir, "sessions", "s-fixed", "running"))).toBe(false);
  });

  it("refuses a run id an older grove's session (audit file only) audited, and leaves no session folder", async () => {
    await appendLocalAudit(join(dataDir, "audit", "s-old.jsonl"), [
      {
        actorType: "runner",
        actorId: "grove session run",
        action: "run.ended",
        subject: "s-old-demo-alpha",
        sessionId: "s-old",
        runId: "s-old-demo-alpha",
      },
    ]);
    const before = await readFile(join(dataDir, "audit", "s-old.jsonl"), "utf8");
    const again = await runSession("a", named("s-old", "alpha"));
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('run "s-old-demo-alpha" already has 1 audit event(s)');
    expect(await readFile(join(dataDir, "audit", "s-old.jsonl"), "utf8")).toBe(before);
    expect(await exists(join(dataDir, "sessions", "s-old"))).toBe(false);
  });

  it("refuses a session another grove process is running (a real second process), then continues it once that ended", async () => {
    const running = join(dataDir, "sessions", "s-busy", "running");
    let hasEnded = false;
    const first = runSession("a", named("s-busy", "slow").replace("lines=1", "hang")).finally(() => (hasEnded = true));
    let holder: { pid: number } | undefined;
    try {
      holder = await vi.waitFor(async () => JSON.parse(await readFile(running, "utf8")) as { pid: number }, {
        timeout: 30_000,
        interval: 50,
      });
      const busy = await runSession("b", named("s-busy", "beta"));
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain(`session "s-busy" is being run by another grove process (pid ${holder.pid}`);
      expect(await repo.git(["branch", "--list", "agent/demo/beta"])).toBe("");
      expect(await exists(join(dataDir, "runs", "s-busy-demo-beta"))).toBe(false);
    } finally {
      // Ctrl-C: the first process stops its hanging run and lets the session go (also when a check above failed).
      if (holder && !hasEnded) process.kill(holder.pid, "SIGINT");
    }
    // Stopped by the Ctrl-C, nothing failed on its own: 130, as a shell expects.
    expect((await first).code).toBe(130);
    expect(await exists(running)).toBe(false);
    expect((await auditOf("s-busy")).some((e) => e.runId === "s-busy-demo-beta")).toBe(false);

    const then = await runSession("b", named("s-busy", "beta"));
    expect(then.code, then.stderr).toBe(3);
    const events = await auditOf("s-busy");
    expect(events.some((e) => e.action === "run.ended" && e.runId === "s-busy-demo-slow")).toBe(true);
    expect(events.some((e) => e.action === "run.ended" && e.runId === "s-busy-demo-beta")).toBe(true);
    const verified = await runGrove(["audit", "verify", join(dataDir, "audit", "s-busy.jsonl")], { cwd: repo.dir });
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  });

  it("takes over the claim of a grove process that died running the session", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    const running = join(dataDir, "sessions", "s-stale", "running");
    await mkdir(join(dataDir, "sessions", "s-stale"), { recursive: true });
    await writeFile(running, JSON.stringify({ pid: dead, host: hostname(), at: 0 }));
    const result = await runSession("a", named("s-stale", "alpha"));
    expect(result.code, result.stderr).toBe(3);
    expect(await exists(running)).toBe(false);
    expect((await auditOf("s-stale")).some((e) => e.action === "run.ended" && e.runId === "s-stale-demo-alpha")).toBe(true);
  });

  it("claims the minute's id, then -2, -3 for sessions of the same minute; an older grove's session (audit file only) counts", async () => {
    const now = new Date(Date.UTC(2026, 0, 2, 3, 4));
    const claims = await Promise.all([1, 2, 3].map(() => claimSession(dataDir, undefined, now)));
    expect(claims.map((c) => c.sessionId).sort()).toEqual([
      "session-20260102-0304",
      "session-20260102-0304-2",
      "session-20260102-0304-3",
    ]);
    const later = new Date(Date.UTC(2026, 0, 2, 3, 5));
    await mkdir(join(dataDir, "audit"));
    await writeFile(join(dataDir, "audit", "session-20260102-0305.jsonl"), "");
    expect((await claimSession(dataDir, undefined, later)).sessionId).toBe("session-20260102-0305-2");
  });
});
