import { describe, expect, it } from "vitest";
import { planDoctorFindings, type RepoFacts, type WorktreeFacts } from "./doctor-findings.ts";

const now = 1_700_000_000_000;
const worktree = (over: Partial<WorktreeFacts>): WorktreeFacts => ({
  path: "/r/wt",
  head: "a".repeat(40),
  branch: "agent/demo/t1",
  bare: false,
  detached: false,
  locked: null,
  prunable: null,
  agent: "demo",
  taskId: "t1",
  isMissing: false,
  liveProcessPids: [],
  lastActivityMs: now,
  isClean: true,
  setUpPendingSince: null,
  ...over,
});
const facts = (over: Partial<RepoFacts>): RepoFacts => ({
  integration: "main",
  worktrees: [worktree({ path: "/r/repo", branch: "main", agent: null, taskId: null })],
  lockFiles: [],
  liveGitPids: [],
  groveLock: null,
  mergedAgentBranches: [],
  orphans: [],
  leftoverTrash: [],
  ...over,
});

describe("planDoctorFindings", () => {
  it("finds nothing in a healthy repository", () => {
    expect(
      planDoctorFindings(
        facts({ worktrees: [...facts({}).worktrees, worktree({ locked: "agent", liveProcessPids: [42] })] }),
        now,
      ),
    ).toEqual([]);
  });

  it("judges lock files by age and by whether git is running", () => {
    const lockFiles = [
      { path: "/r/repo/.git/index.lock", ageMs: 120_000 },
      { path: "/r/repo/.git/config.lock", ageMs: 5_000 },
    ];
    expect(planDoctorFindings(facts({ lockFiles }), now).map((f) => f.path)).toEqual(["/r/repo/.git/index.lock"]);
    expect(planDoctorFindings(facts({ lockFiles, liveGitPids: [7] }), now)).toEqual([]);
    // Without a process table only much older files count.
    expect(planDoctorFindings(facts({ lockFiles, liveGitPids: null }), now)).toEqual([]);
  });

  it("only offers safe fixes for what cannot lose work", () => {
    const findings = planDoctorFindings(
      facts({
        worktrees: [
          ...facts({}).worktrees,
          worktree({ path: "/r/gone", prunable: "gitdir file points to non-existent location", isMissing: true }),
          worktree({ path: "/r/usb", branch: "agent/demo/usb", locked: "usb drive", isMissing: true }),
          worktree({ path: "/r/idle", branch: "agent/demo/idle", lastActivityMs: now - 30 * 86_400_000 }),
          worktree({ path: "/r/merged", branch: "agent/demo/merged" }),
        ],
        mergedAgentBranches: [
          { branch: "agent/demo/old", sha: "b".repeat(40), hasOwnCommits: true },
          { branch: "agent/demo/merged", sha: "c".repeat(40), hasOwnCommits: true },
          { branch: "agent/demo/idle", sha: "d".repeat(40), hasOwnCommits: false },
        ],
      }),
      now,
    );
    expect(findings.map((f) => [f.kind, f.path ?? f.branch, f.isSafeToFix])).toEqual([
      ["prunable-worktree", "/r/gone", true],
      ["prunable-worktree", "/r/usb", false],
      ["idle-worktree", "/r/idle", false],
      ["merged-branch", "agent/demo/old", true],
      ["merged-worktree", "/r/merged", false],
    ]);
  });

  it("offers to delete removed worktrees' files that no grove process is deleting any more", () => {
    const leftover = "/r/repo/.git/grove-trash/abandoned.1";
    expect(
      planDoctorFindings(facts({ leftoverTrash: [leftover] }), now).map((f) => [f.kind, f.path, f.fix, f.isSafeToFix]),
    ).toEqual([["leftover-trash", leftover, `rm -rf ${leftover}`, true]]);
  });
});

describe("a worktree whose set-up never finished", () => {
  it("is reported once it was marked longer ago than a lock file is given, never as a safe fix", () => {
    const wt = (since: number | null) =>
      facts({ worktrees: [worktree({ path: "/r/repo", branch: "main" }), worktree({ setUpPendingSince: since })] });
    expect(planDoctorFindings(wt(null), now)).toEqual([]);
    expect(planDoctorFindings(wt(now - 30_000), now)).toEqual([]);
    expect(planDoctorFindings(wt(now - 120_000), now)).toEqual([
      expect.objectContaining({ kind: "unfinished-setup", path: "/r/wt", branch: "agent/demo/t1", isSafeToFix: false }),
    ]);
  });
});
