import {
  BranchDiffSchema,
  MergeProgressSchema,
  MergeResultSchema,
  RadarSnapshotSchema,
  RunReportSchema,
  RunStateEventSchema,
  type TaskSpec,
} from "@grove/core";
import { makeGate, makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startRunnerDaemon } from "../daemon.ts";
import { eventsOf, startTestHub, waitFor, type TestHub } from "../test-support/test-hub.ts";

const TOKEN = "runner-token-for-radar-tests-0123";
// An agent that edits src/shared.ts, then works (waits) until its gate opens, then commits and writes a RESULT.
const WRITER = `const fs = require("node:fs"); const { execFileSync } = require("node:child_process");
fs.mkdirSync("src", { recursive: true }); fs.writeFileSync("src/shared.ts", "export const by = " + JSON.stringify(process.env.GROVE_TASK) + ";\\n");
const t = setInterval(() => { if (!fs.existsSync(process.argv[1])) return; clearInterval(t);
  execFileSync("git", ["add", "-A"]); execFileSync("git", ["-c", "user.name=w", "-c", "user.email=w@x", "-c", "commit.gpgsign=false", "commit", "-qm", "writer"]);
  fs.writeFileSync(process.env.GROVE_RESULT, JSON.stringify({ status: "done", summary: "wrote shared.ts", learnings: [{ title: "shared.ts is contended", body: "two agents" }] })); }, 20);`;

let repo: TempRepo;
let hub: TestHub;
let gate: Awaited<ReturnType<typeof makeGate>>;
const cleanups: (() => Promise<unknown>)[] = [];

beforeEach(async () => {
  repo = await makeTempRepo({ files: { "README.md": "# radar\n" } });
  gate = await makeGate(repo.root);
  const config = {
    test: `"${process.execPath}" -e "process.exit(0)"`,
    agents: { writer: { command: [process.execPath, "-e", WRITER, "--", gate.path] } },
  };
  await repo.write({ "grove.yaml": JSON.stringify(config) });
  await repo.git(["add", "grove.yaml"]);
  await repo.git(["commit", "-qm", "grove.yaml"]);
  const dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-runner-data-")));
  hub = await startTestHub({ token: TOKEN });
  const daemon = await startRunnerDaemon({ hubUrl: hub.url, token: TOKEN, dataDir, repos: [repo.dir], radarIntervalMs: 100 });
  cleanups.push(
    repo.cleanup,
    () => rm(dataDir, { recursive: true, force: true }),
    () => hub.close(),
    () => daemon.stop(),
  );
  await waitFor(() => hub.store.events.some((e) => e.event === "runner:hello"), "runner:hello");
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const snapshots = () => eventsOf(hub.store, "radar:snapshot", RadarSnapshotSchema);
const branchIn = (branch: string) => (s: ReturnType<typeof snapshots>[number]) => s.branches.find((b) => b.branch === branch);
const task = (id: string): TaskSpec => ({ runId: `run-${id}`, agent: "w", taskId: id, profile: "writer", prompt: "" });

describe("the overlap radar and the merge queue on a live runner", () => {
  it("shows overlaps while agents work, diffs once they stop, and new predicted conflicts after a merge lands", async () => {
    await hub.startSession({
      sessionId: "session-20260101-1500",
      repoPath: repo.dir,
      integration: "main",
      tasks: [task("one"), task("two")],
    });

    // Live: both agents have only uncommitted edits, and the radar already sees them collide.
    const live = await waitFor(
      () =>
        snapshots().find(
          (s) => s.branches.length === 2 && s.branches.every((b) => b.live && b.workingFiles.includes("src/shared.ts")),
        ),
      "a live overlap",
    );
    expect(branchIn("agent/w/one")(live)).toMatchObject({
      files: [],
      overlaps: [{ file: "src/shared.ts", branches: ["agent/w/two"] }],
      conflicts: [],
      brainFiles: [],
    });

    await gate.open();
    const reports = await waitFor(() => {
      const r = eventsOf(hub.store, "run:report", RunReportSchema);
      return r.length === 2 && r;
    }, "both runs to end");
    await waitFor(
      () => eventsOf(hub.store, "run:state", RunStateEventSchema).filter((s) => s.state === "succeeded").length === 2,
      "both runs to succeed",
    );
    const headOf = (id: string) => reports.find((r) => r.runId === `run-${id}`)?.headSha ?? "";
    const done = await waitFor(
      () =>
        snapshots().find((s) => s.branches.length === 2 && s.branches.every((b) => !b.live && b.files.includes("src/shared.ts"))),
      "committed branches",
    );
    expect(branchIn("agent/w/two")(done)).toMatchObject({
      headSha: headOf("two"),
      workingFiles: [],
      conflicts: [],
      overlaps: [{ file: "src/shared.ts", branches: ["agent/w/one"] }],
    });
    const diffs = await waitFor(() => {
      const d = eventsOf(hub.store, "branch:diff", BranchDiffSchema);
      return d.length >= 2 && d;
    }, "branch diffs");
    expect(diffs.find((d) => d.branch === "agent/w/one")).toMatchObject({
      headSha: headOf("one"),
      truncated: false,
      diff: expect.stringContaining('+export const by = "one";') as unknown,
    });

    const ack = await hub.executeMerge({
      mergeRequestId: "mr-one",
      runId: "run-one",
      repoPath: repo.dir,
      branch: "agent/w/one",
      integration: "main",
      headSha: headOf("one"),
      message: "Merge w agent results (one)",
      worktreePath: null,
      approval: { kind: "user", by: "ana@example.com" },
      result: reports.find((r) => r.runId === "run-one")?.result,
    });
    expect(ack).toEqual({ ok: true });
    const merged = await waitFor(
      () => eventsOf(hub.store, "merge:result", MergeResultSchema).find((m) => m.mergeRequestId === "mr-one"),
      "the merge",
    );
    expect(merged.outcome).toMatchObject({
      kind: "merged",
      branchDeleted: true,
      deposit: { files: ["project-brain/LEARN-001-shared-ts-is-contended.md", "project-brain/LOG-001-w-one.md"] },
    });
    const stages = eventsOf(hub.store, "merge:progress", MergeProgressSchema).map((p) => p.stage);
    expect(stages).toEqual(["queued", "building", "testing", "advancing", "depositing", "cleaning"]);

    // main moved: the radar now predicts the textual conflict the other branch will hit.
    const after = await waitFor(
      () => snapshots().find((s) => s.branches.length === 1 && (branchIn("agent/w/two")(s)?.conflicts ?? []).length > 0),
      "a predicted conflict",
    );
    expect(branchIn("agent/w/two")(after)).toMatchObject({ conflicts: ["src/shared.ts"], overlaps: [] });
    expect(await repo.git(["show", "main:project-brain/LEARN-001-shared-ts-is-contended.md"])).toContain(
      "approved_by: ana@example.com",
    );
  });
});
