import { chmod, mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@grove/testing";
import { startTestStack, type TestStack } from "../../test-support/stack.ts";

let stack: TestStack;
let runId = "";
let binDir = "";

beforeAll(async () => {
  // A profile of grove.yaml whose CLI answers --version as an older Claude Code would (the real CLIs are
  // checked in the runner's own tests): the runner asks it, and judges the answer.
  binDir = await mkdtemp(path.join(os.tmpdir(), "grove-agent-bin-"));
  const oldClaude = path.join(binDir, "old-claude");
  await writeFile(oldClaude, `#!${process.execPath}\nconsole.log("1.0.0 (Claude Code)");\n`);
  await chmod(oldClaude, 0o755);
  const agents = { "old-claude": { command: [oldClaude, "--print", "--", "{prompt}"] } };
  const groveYaml = JSON.stringify({ test: 'node -e "process.exit(0)"', agents });
  stack = await startTestStack({ repoFiles: { "README.md": "# app\n", "grove.yaml": groveYaml } });
  const session = await stack.caller.session.start({
    tasks: [{ agent: "demo", taskId: "notes", prompt: "Write notes lines=30" }],
  });
  runId = session.runIds[0] ?? "";
  const mr = await waitFor(
    () => stack.db.mergeRequest.findFirst({ where: { runId, state: "open" } }),
    60_000,
    () => `open merge request\n${stack.runnerOutput()}`,
  );
  await stack.caller.approval.approve({ id: mr.id, sha: mr.headSha });
  await waitFor(
    async () => (await stack.db.mergeRequest.findUnique({ where: { id: mr.id } }))?.state === "merged",
    60_000,
    () => `merged\n${stack.runnerOutput()}`,
  );
  // A brain deposit as grove's orchestrator writes it: its own commit on the integration branch, naming the run.
  await stack.repo.write({ "project-brain/LEARN-001-notes.md": "# Notes are kept in notes/\n" });
  await stack.repo.git(["add", "project-brain"]);
  await stack.repo.git(["commit", "-q", "-m", `brain: LEARN-001 from the notes run\n\nGrove-Run: ${runId}`]);
});
afterAll(async () => {
  await stack.close();
  await rm(binDir, { recursive: true, force: true });
});

describe("what the dashboard asks the runner (the web app never touches git)", () => {
  it("lists the agent profiles a repository offers", async () => {
    const runner = await stack.caller.runner.byId({ id: stack.runnerId });
    expect(runner.online).toBe(true);
    expect(runner.repos[0]?.info?.profiles).toEqual(expect.arrayContaining(["demo", "claude"]));
    expect(runner.repos[0]?.info?.integration).toBe("main");
  });

  it("shows a run's diff, pages its log and searches it", async () => {
    const diff = await stack.caller.run.diff({ id: runId });
    expect(diff.stat).toContain("notes/notes.md");
    expect(diff.patch).toContain("+# notes");

    const run = await stack.caller.run.byId({ id: runId });
    expect(run.result?.summary).toContain("notes");
    const page = await stack.caller.run.log.list({ runId, afterSeq: 5, limit: 10 });
    expect(page.lines.map((l) => l.seq)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const found = await stack.caller.run.log.search({ runId, query: "STEP 2/30" });
    expect(found.seqs).toHaveLength(1);
    const line = await stack.caller.run.log.list({ runId, afterSeq: (found.seqs[0] ?? 1) - 1, limit: 1 });
    expect(line.lines[0]?.text).toContain("step 2/30");
  });

  it("lists the brain folder with each file's last change linked to its run, and a file's history", async () => {
    const [repo] = await stack.caller.brain.list();
    expect(repo?.error).toBeNull();
    const file = repo?.brain?.files.find((f) => f.path === "project-brain/LEARN-001-notes.md");
    expect(file?.run?.id).toBe(runId);
    const detail = await stack.caller.brain.byId({
      runnerId: stack.runnerId,
      repoPath: repo?.path ?? "",
      path: "project-brain/LEARN-001-notes.md",
    });
    expect(detail.content).toContain("Notes are kept");
    expect(detail.history[0]?.run?.branch).toBe("agent/demo/notes");
    await expect(
      stack.caller.brain.byId({ runnerId: stack.runnerId, repoPath: repo?.path ?? "", path: "README.md" }),
    ).rejects.toThrow(/not inside the brain folder/);
  });

  it("lists each agent profile's CLI as the runner's agents would find it, its version, and whether grove's tests ran it", async () => {
    const [repo] = await stack.caller.health.agents();
    expect(repo?.error).toBeNull();
    const byName = new Map((repo?.checks ?? []).map((c) => [c.profile, c]));
    expect(byName.get("old-claude")).toMatchObject({
      source: "grove.yaml",
      cli: "claude",
      version: "1.0.0",
      verdict: "other-version",
    });
    expect(byName.get("old-claude")?.testedVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(byName.get("demo")?.verdict).toBe("bundled");
    expect(byName.get("aider")).toMatchObject({ verdict: "missing", note: expect.stringContaining("untested") as unknown });
  });

  it("reports doctor findings and lets an admin apply the safe fixes", async () => {
    const lock = path.join(stack.repo.dir, ".git", "index.lock");
    await writeFile(lock, "");
    const old = new Date(Date.now() - 10 * 60_000);
    await utimes(lock, old, old);
    const [repo] = await stack.caller.health.list();
    expect(repo?.report?.findings.map((f) => f.kind)).toContain("stale-lock-file");
    // The runner measures its worktrees' disk with every doctor run: the ledger reaches the Health page.
    expect(repo?.report?.disk).toMatchObject({ isPartial: false, omitted: 0 });
    expect(repo?.report?.disk?.totalBytes).toBe(
      (repo?.report?.disk?.worktrees ?? []).reduce((sum, w) => sum + w.trackedBytes + w.otherBytes, 0) -
        (repo?.report?.disk?.sharedBytes ?? 0),
    );

    // The doctor leaves a lock file alone while any git process runs in the repository (the runner's own, such as
    // its overlap radar's `git status` of the earlier tests' worktrees, may): asked again until one fix finds none.
    let fixes = 0;
    const report = await waitFor(
      async () => {
        fixes++;
        const fixed = await stack.caller.health.fix({ runnerId: stack.runnerId, repoPath: repo?.path ?? "" });
        return fixed.fixed.some((f) => f.kind === "stale-lock-file") ? fixed : null;
      },
      60_000,
      () => "a doctor fix that deletes the stale index.lock",
      200,
    );
    expect(report.fixed.find((f) => f.kind === "stale-lock-file")?.path).toBe(lock);
    await expect(utimes(lock, old, old)).rejects.toThrow();
    const [after] = await stack.caller.health.list();
    expect(after?.report?.findings.map((f) => f.kind)).not.toContain("stale-lock-file");
    // Every fix is audited, also one that found nothing to fix.
    expect(await stack.db.auditEvent.count({ where: { action: "doctor.fixed" } })).toBe(fixes);
  });
});
