import { spawn } from "node:child_process";
import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exists } from "@grove/core/test-support";
import { RUNNER_BIN, waitFor } from "@grove/testing";
import { hashToken } from "./auth/secrets.ts";
import { startTestStack, type TestStack } from "./test-support/stack.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const AUDITOR_TOKEN = "auditor-runner-token-0123456789abcdef";
let stack: TestStack;
let holdDir: string;
let hold: string;

beforeAll(async () => {
  holdDir = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-hold-")));
  hold = path.join(holdDir, "hold");
  // The test command waits while the hold file exists: a test can keep a merge in the queue's testing stage.
  const test = `"${process.execPath}" -e "const fs=require('fs');const t=setInterval(()=>{if(!fs.existsSync('${hold}'))clearInterval(t)},20)"`;
  stack = await startTestStack({ repoFiles: { "README.md": "# app\n", "grove.yaml": JSON.stringify({ test }) } });
  await stack.db.runner.create({ data: { name: "auditor", tokenHash: hashToken(AUDITOR_TOKEN) } });
  await waitFor(
    async () => (await stack.db.runner.findUnique({ where: { id: stack.runnerId } }))?.repos.includes(stack.repo.dir),
    30_000,
    () => "the runner's hello",
  );
});
afterAll(async () => {
  await stack.close();
  await rm(holdDir, { recursive: true, force: true });
});

async function session(tasks: [string, string][]) {
  const started = await stack.caller.session.start({
    tasks: tasks.map(([taskId, prompt]) => ({ agent: "demo", taskId, prompt })),
  });
  return started.id;
}
const mrOf = (taskId: string, state?: string) =>
  waitFor(
    () =>
      stack.db.mergeRequest.findFirst({
        where: { branch: `agent/demo/${taskId}`, ...(state ? { state } : {}) },
        include: { run: true },
      }),
    60_000,
    () => `merge request of ${taskId}${state ? ` in state ${state}` : ""}\n${stack.runnerOutput()}`,
  );
const main = () => stack.repo.git(["rev-parse", "main"]);

function grove(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUNNER_BIN, ...args], { cwd: repoRoot });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the merge gate on the real stack", () => {
  it("blocks a branch that writes into the brain folder, shows why, and keeps it", async () => {
    await session([["brainy", "brain lines=1"]]);
    const mr = await mrOf("brainy", "blocked");
    expect(mr.blockedReason).toMatch(
      /Blocked by the brain policy: this branch writes into project-brain\/ \(project-brain\/LEARN-demo-brainy\.md\)/,
    );
    expect(JSON.parse(mr.brainFiles ?? "[]")).toEqual(["project-brain/LEARN-demo-brainy.md"]);
    await expect(stack.caller.merge.approve({ id: mr.id, sha: mr.headSha })).rejects.toThrow(/brain policy/);
    expect(await stack.repo.git(["rev-parse", "agent/demo/brainy"])).toBe(mr.headSha);
    expect((await stack.db.auditEvent.findMany({ where: { subject: mr.id } })).map((e) => e.action)).toContain("merge.blocked");
  });

  it("records a run's end in the ledger before the merge request its report opens", async () => {
    await session([["ordered", "lines=1"]]);
    const mr = await mrOf("ordered", "open");
    const actions = () =>
      stack.db.auditEvent.findMany({
        where: { runId: mr.runId, action: { in: ["run.ended", "merge.opened"] } },
        orderBy: { id: "asc" },
      });
    const events = await waitFor(
      async () => ((await actions()).length === 2 ? actions() : null),
      30_000,
      () => "run.ended and merge.opened in the ledger",
    );
    expect(events.map((e) => e.action)).toEqual(["run.ended", "merge.opened"]);
  });

  it("predicts a textual conflict before approval, and the conflicting merge changes nothing", async () => {
    await session([
      ["left", "conflict lines=1"],
      ["right", "conflict lines=1"],
    ]);
    const left = await mrOf("left", "open");
    await waitFor(
      async () => (await stack.db.mergeRequest.findFirst({ where: { id: left.id } }))?.diff?.includes("shared.txt"),
      30_000,
      () => "the diff on the merge request",
    );
    await stack.caller.merge.approve({ id: left.id, sha: left.headSha });
    await mrOf("left", "merged");
    const head = await main();

    const right = await waitFor(
      async () => {
        const mr = await stack.db.mergeRequest.findFirst({ where: { branch: "agent/demo/right", state: "open" } });
        return mr?.checkedSha === head && mr.conflicts?.includes("shared.txt") ? mr : null;
      },
      30_000,
      () => "a conflict predicted against the new main",
    );
    expect(JSON.parse(right.conflicts ?? "[]")).toEqual(["shared.txt"]);
    expect(JSON.parse(right.overlaps ?? "[]")).toEqual([]);

    await stack.caller.merge.approve({ id: right.id, sha: right.headSha });
    const failed = await mrOf("right", "failed");
    expect(failed.error).toMatch(/Merge conflict in shared\.txt; main did not move\. The branch is kept\./);
    expect(await main()).toBe(head);
    expect(await stack.repo.git(["status", "--porcelain"])).toBe("");
    expect(await exists(path.join(stack.repo.dir, ".git", "MERGE_HEAD"))).toBe(false);
    expect(await stack.repo.git(["rev-parse", "agent/demo/right"])).toBe(right.headSha);
  });

  it("voids an approval when the branch moves while the request waits in the merge queue", async () => {
    await session([
      ["first", "lines=1"],
      ["second", "lines=1"],
    ]);
    const first = await mrOf("first", "open");
    const second = await mrOf("second", "open");
    await writeFile(hold, "hold");
    await stack.caller.merge.approve({ id: first.id, sha: first.headSha });
    await waitFor(
      async () => (await stack.db.mergeRequest.findFirst({ where: { id: first.id } }))?.stage === "testing",
      30_000,
      () => "the first merge testing",
    );
    await stack.caller.merge.approve({ id: second.id, sha: second.headSha, comment: "looks fine" });

    const worktree = second.run.worktreePath ?? "";
    await stack.repo.write({ "late.txt": "after the approval\n" }, { cwd: worktree });
    await stack.repo.git(["add", "late.txt"], { cwd: worktree });
    await stack.repo.git(["commit", "-qm", "a commit after the approval"], { cwd: worktree });
    await rm(hold);

    await mrOf("first", "merged");
    const voided = await mrOf("second", "void");
    expect(voided.error).toMatch(
      /The branch moved to [0-9a-f]{12} after the approval; the approval is void and nothing was merged\. The branch is kept/,
    );
    expect(await stack.repo.git(["log", "--format=%s", "main"])).not.toContain("(second)");
    expect(await stack.repo.git(["rev-list", "--count", "agent/demo/second"])).not.toBe("0");
    const events = await stack.db.auditEvent.findMany({ where: { branch: "agent/demo/second" } });
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["merge.approved", "merge.queued", "merge.void"]));
    // Audited once, by the runner whose merge found the branch moved; the hub records the state only.
    expect(events.filter((e) => e.action === "merge.void").map((e) => e.actorType)).toEqual(["runner"]);
  });

  it("resumes an approved merge after the runner is killed -9 in the middle of it", async () => {
    await session([["crash", "lines=1"]]);
    const mr = await mrOf("crash", "open");
    await writeFile(hold, "hold");
    await stack.caller.merge.approve({ id: mr.id, sha: mr.headSha });
    await waitFor(
      async () => (await stack.db.mergeRequest.findFirst({ where: { id: mr.id } }))?.stage === "testing",
      30_000,
      () => "the merge testing",
    );
    await stack.killRunner("SIGKILL");
    stack.startRunner();
    await waitFor(
      async () => (await stack.db.auditEvent.count({ where: { action: "merge.resent", subject: mr.id } })) > 0,
      30_000,
      () => `the merge resent\n${stack.runnerOutput()}`,
    );
    await rm(hold);
    const merged = await mrOf("crash", "merged");
    expect(
      (await stack.repo.git(["log", "--merges", "--format=%s", "main"]))
        .split("\n")
        .filter((s) => s === "Merge demo agent results (crash)"),
    ).toHaveLength(1);
    expect(await stack.repo.git(["log", "-1", "--format=%P", merged.mergeSha ?? ""])).toContain(mr.headSha);
    await waitFor(
      async () => !(await stack.repo.git(["worktree", "list", "--porcelain"])).includes("grove-merge-test-"),
      30_000,
      () => "the dead runner's test worktree removed",
    );
    expect(await stack.repo.git(["status", "--porcelain"])).toBe("");
  });

  it("deposits the learnings, answers provenance for any commit it brought in, exports and verifies the ledger", async () => {
    const sessionId = await session([["deposit", "lines=1"]]);
    const mr = await mrOf("deposit", "open");
    await stack.caller.merge.approve({ id: mr.id, sha: mr.headSha, comment: "ship it" });
    const merged = await mrOf("deposit", "merged");
    const files: string[] = JSON.parse(merged.depositFiles ?? "[]") as string[];
    expect(files).toEqual([
      expect.stringMatching(/^project-brain\/LEARN-\d{3}-how-deposit-was-done\.md$/),
      expect.stringMatching(/^project-brain\/LOG-\d{3}-demo-deposit\.md$/),
    ]);
    expect(await main()).toBe(merged.depositSha);
    const learn = await stack.repo.git(["show", `main:${files[0] ?? ""}`]);
    for (const line of [
      `merge: ${merged.mergeSha ?? ""}`,
      `run: ${mr.runId}`,
      "branch: agent/demo/deposit",
      "agent: demo",
      "approved_by: admin@test.local",
    ])
      expect(learn).toContain(line);
    expect(await stack.repo.git(["for-each-ref", "--format=%(objectname)", "refs/grove/merged/demo/deposit/"])).toBe(mr.headSha);

    const provenance = await stack.caller.audit.commit({ sha: merged.mergeSha ?? "" });
    expect(provenance).toMatchObject({
      kind: "merge",
      agent: "demo",
      taskId: "deposit",
      sessionId,
      tests: { branch: { status: "passed" }, mergedTree: { status: "passed" } },
      approval: { kind: "user", by: "admin@test.local", comment: "ship it" },
    });
    expect(provenance?.mergedAt).toEqual(expect.any(Number));
    expect(await stack.caller.audit.commit({ sha: mr.headSha.slice(0, 12) })).toMatchObject({ kind: "agent", taskId: "deposit" });
    expect(await stack.caller.audit.commit({ sha: merged.depositSha ?? "" })).toMatchObject({
      kind: "deposit",
      taskId: "deposit",
    });
    expect(await stack.caller.audit.commit({ sha: await stack.repo.git(["rev-list", "--max-parents=0", "main"]) })).toBeNull();

    const byAgent = await stack.caller.audit.list({ agent: "demo", action: "brain." });
    expect(byAgent.events.map((e) => e.action)).toContain("brain.deposited");
    const jsonl = await stack.caller.audit.export({ format: "jsonl" });
    const verdict = await stack.caller.audit.verify();
    expect(verdict).toMatchObject({ ok: true, count: jsonl.count });
    const csv = await stack.caller.audit.export({ format: "csv", filter: { sessionId } });
    expect(csv.body.split("\r\n")[0]).toMatch(/^id,time,ts,actorType,actorId,action/);

    expect((await fetch(`${stack.server.url}/api/audit/export`)).status).toBe(401);
    const download = await fetch(`${stack.server.url}/api/audit/export?format=csv&agent=demo`, {
      headers: { authorization: `Bearer ${AUDITOR_TOKEN}` },
    });
    expect(download.headers.get("content-disposition")).toMatch(/attachment; filename="grove-audit-.*\.csv"/);
    const verified = await grove(["audit", "verify", "--hub", stack.server.url, "--token", AUDITOR_TOKEN]);
    expect(verified.stdout).toContain(`Audit chain verified: ${verdict.count}`);
    expect(verified.code).toBe(0);

    // Someone edits the ledger behind grove's back: the badge and the CLI both catch it.
    const victim = await stack.db.auditEvent.findFirstOrThrow({ where: { action: "merge.approved", subject: mr.id } });
    await stack.db.auditEvent.update({ where: { id: victim.id }, data: { actorId: "someone-else@test.local" } });
    expect(await stack.caller.audit.verify()).toMatchObject({ ok: false, brokenAtId: victim.id });
    const broken = await grove(["audit", "verify", "--hub", stack.server.url, "--token", AUDITOR_TOKEN]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`Audit chain BROKEN at event ${victim.id}: the event was edited`);
  });
});
