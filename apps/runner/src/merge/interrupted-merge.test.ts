import { AuditEntrySchema } from "@grove/core";
import { isPidAlive } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GROVE_BIN, runGrove } from "../test-support/grove-process.ts";
import { waitFor } from "../test-support/test-hub.ts";
import { listPendingMerges } from "./pending-merges.ts";

// A grove process killed -9 while it lands a merge (here: while the merged-tree test runs in the merge queue's
// warm tree) must leave nothing that no command clears: the next start settles the merge request from git, and
// the next test in that tree keeps what the dead test left under refs/grove/merge-test/ before resetting it.

// The repository's test command: in a merged-tree test worktree, and while the gate file exists, it takes the
// gate, leaves a file behind, says it started and blocks until it is killed. Elsewhere it passes at once.
const BLOCKING_TEST = `import fs from "node:fs";
const gate = process.env.BLOCK_GATE;
if (process.cwd().includes(".grove-warm") && gate && fs.existsSync(gate)) {
  fs.renameSync(gate, gate + ".taken");
  fs.writeFileSync("left-by-the-test.txt", "partial output\\n");
  fs.writeFileSync(process.env.BLOCK_SIGNAL, String(process.pid));
  setInterval(() => {}, 1000);
}
`;

let repo: TempRepo;
let dataDir: string;
let env: Record<string, string>;
const pids: number[] = [];
beforeEach(async () => {
  repo = await makeTempRepo({ files: { "README.md": "# merge\n" } });
  const script = join(repo.root, "blocking-test.mjs");
  await writeFile(script, BLOCKING_TEST);
  await writeFile(join(repo.dir, "grove.yaml"), `test: '"${process.execPath}" "${script}"'\n`);
  await repo.git(["add", "grove.yaml"]);
  await repo.git(["commit", "-qm", "tests"]);
  dataDir = join(repo.root, "data");
  env = {
    GROVE_DEMO_DELAY_MS: "5",
    BLOCK_GATE: join(repo.root, "block-gate"),
    BLOCK_SIGNAL: join(repo.root, "block-signal"),
  };
  await writeFile(env.BLOCK_GATE ?? "", "");
});
afterEach(async () => {
  for (const pid of pids.splice(0)) if (isPidAlive(pid)) process.kill(pid, "SIGKILL");
  await repo.cleanup();
});

async function planFile(name: string, task: string) {
  const path = join(repo.root, `${name}.yaml`);
  await writeFile(path, `session: ${name}\ntasks:\n  - { agent: demo, task: ${task}, prompt: "lines=1" }\n`);
  return path;
}

/** `grove session run --approve auto`, killed -9 once its merged-tree test is running. */
async function killMidMerge(): Promise<void> {
  const args = [GROVE_BIN, "session", "run", "--plan", await planFile("s1", "one"), "--data-dir", dataDir];
  const grove = spawn(process.execPath, [...args, "--approve", "auto"], { cwd: repo.dir, env: { ...process.env, ...env } });
  let output = "";
  grove.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  grove.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise((resolve) => grove.once("exit", resolve));
  const testPid = await waitFor(
    async () => existsSync(env.BLOCK_SIGNAL ?? "") && Number(await readFile(env.BLOCK_SIGNAL ?? "", "utf8")),
    `the merged-tree test to start:\n${output}`,
    60_000,
  );
  pids.push(testPid);
  grove.kill("SIGKILL");
  await exited;
}

const sessionRun = async (name: string, task: string) =>
  runGrove(["session", "run", "--plan", await planFile(name, task), "--data-dir", dataDir, "--approve", "manual"], {
    cwd: repo.dir,
    env,
  });
const mergeOf = async (runId: string) => (await listPendingMerges(dataDir)).find((m) => m.runId === runId);
const auditOf = async (session: string) =>
  (await readFile(join(dataDir, "audit", `${session}.jsonl`), "utf8"))
    .trim()
    .split("\n")
    .map((line) => AuditEntrySchema.parse(JSON.parse(line)));

describe("a grove process killed -9 mid-merge", () => {
  it("is reported by grove doctor; the next start puts its merge request back to waiting, and the next test keeps the dead test's files", async () => {
    await killMidMerge();
    expect((await mergeOf("s1-demo-one"))?.state).toBe("merging");
    const tree = /worktree (\S*\.grove-warm\S*)/.exec(await repo.git(["worktree", "list", "--porcelain"]))?.[1] ?? "";
    expect(tree).not.toBe("");

    // Its test still runs (a test is its own process group): the tree is in use, kept, not a problem.
    const doctor = await runGrove(["doctor", "--json"], { cwd: repo.dir });
    const findings = (JSON.parse(doctor.stdout) as { findings: { kind: string; path: string | null }[] }).findings;
    expect(findings.filter((f) => f.kind === "warm-merge-tree").map((f) => f.path)).toEqual([tree]);
    for (const pid of pids.splice(0)) process.kill(pid, "SIGKILL");

    const next = await sessionRun("s2", "two");
    expect(next.stderr).toContain("the merge of agent/demo/one was interrupted");
    const settled = await mergeOf("s1-demo-one");
    expect(settled?.state).toBe("waiting");
    expect(settled?.landing).toBeUndefined();
    expect((await auditOf("s1")).filter((e) => e.action === "merge.interrupted").map((e) => e.details)).toEqual([
      expect.objectContaining({ settledAs: "waiting" }),
    ]);

    // It can be decided again, and lands (the gate is taken: the test passes this time) from the same warm tree,
    // reset first: what the dead test wrote is kept under refs/grove/merge-test/, and is not in what landed.
    const approved = await runGrove(["approve", "demo/one", "--data-dir", dataDir, "--as", "ana@example.com"], {
      cwd: repo.dir,
      env,
    });
    expect(approved.code, approved.stderr).toBe(0);
    expect((await mergeOf("s1-demo-one"))?.state).toBe("merged");
    const snapshot = (await repo.git(["for-each-ref", "--format=%(refname)", "refs/grove/merge-test/"])).split("\n")[0] ?? "";
    expect(await repo.git(["show", `${snapshot}:left-by-the-test.txt`])).toBe("partial output");
    expect(await repo.git(["ls-tree", "--name-only", "main"])).not.toContain("left-by-the-test.txt");
    expect(await repo.git(["worktree", "list", "--porcelain"])).not.toContain("grove-merge-test-");
  });

  it("records it as merged, with its merge commit, when the merge is on the integration branch", async () => {
    await killMidMerge();
    // As if the process died after moving the branch and before writing down the outcome.
    await repo.git(["merge", "--no-ff", "-q", "-m", "Merge demo agent results (one)", "agent/demo/one"]);
    const mergeSha = await repo.git(["rev-parse", "main"]);

    const next = await sessionRun("s2", "two");
    expect(next.stderr).toContain(`its merge ${mergeSha.slice(0, 12)} is on main: recorded as merged`);
    const settled = await mergeOf("s1-demo-one");
    expect(settled?.state).toBe("merged");
    expect(settled?.outcome).toMatchObject({ kind: "merged", sha: mergeSha });
    expect(await repo.git(["worktree", "list", "--porcelain"])).not.toContain("grove-merge-test-");
  });
});
