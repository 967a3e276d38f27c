import { AuditEntrySchema } from "@grove/core";
import { isPidAlive } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { spawn } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { GROVE_BIN, runGrove } from "../test-support/grove-process.ts";
import { waitFor } from "../test-support/test-hub.ts";
import { listPendingMerges } from "./pending-merges.ts";

// grove session run killed -9 while several merges are in its queue at once: the next start settles every one
// of them from git (none landed here, so each waits for a decision again; interrupted-merge.test.ts has the
// landed case).

// Blocks (until killed) in every merged-tree test worktree (a warm one, or a temporary one when both are busy);
// passes in an agent's worktree.
const BLOCKING_TEST = `import fs from "node:fs";
import { join } from "node:path";
if (process.cwd().includes("grove-merge-test-") || process.cwd().includes(".grove-warm")) {
  fs.writeFileSync(join(process.env.BLOCK_DIR, String(process.pid)), "");
  setInterval(() => {}, 1000);
}
`;

let repo: TempRepo;
let blockDir: string;
beforeEach(async () => {
  repo = await makeTempRepo({ files: { "README.md": "# queue\n" } });
  const script = join(repo.root, "blocking-test.mjs");
  await writeFile(script, BLOCKING_TEST);
  await writeFile(join(repo.dir, "grove.yaml"), `test: '"${process.execPath}" "${script}"'\nqueue:\n  parallel: 2\n`);
  await repo.git(["add", "grove.yaml"]);
  await repo.git(["commit", "-qm", "tests"]);
  blockDir = join(repo.root, "blocked");
  await repo.write({ "blocked/.keep": "" }, { cwd: repo.root });
});
afterEach(async () => {
  for (const pid of await blockedPids()) if (isPidAlive(pid)) process.kill(pid, "SIGKILL");
  await repo.cleanup();
});
const blockedPids = async () => (await readdir(blockDir)).filter((f) => f !== ".keep").map(Number);

it("settles every merge a killed grove session run had in its queue", async () => {
  const dataDir = join(repo.root, "data");
  const env = { ...process.env, GROVE_DEMO_DELAY_MS: "5", BLOCK_DIR: blockDir };
  const plan = join(repo.root, "s1.yaml");
  const tasks = ["one", "two", "three"].map((t) => `  - { agent: demo, task: ${t}, prompt: "lines=1" }`);
  await writeFile(plan, `session: s1\ntasks:\n${tasks.join("\n")}\n`);
  const args = [GROVE_BIN, "session", "run", "--plan", plan, "--data-dir", dataDir, "--approve", "auto"];
  const grove = spawn(process.execPath, args, { cwd: repo.dir, env });
  const exited = new Promise((resolve) => grove.once("exit", resolve));
  // Both slots hold a blocked test and the third merge waits behind them: three in flight at once.
  await waitFor(
    async () =>
      (await blockedPids()).length === 2 && (await listPendingMerges(dataDir)).filter((m) => m.state === "merging").length === 3,
    "two blocked merged-tree tests and three merges in the queue",
    60_000,
  );
  grove.kill("SIGKILL");
  await exited;

  const next = await runGrove(["session", "run", "--plan", await secondPlan(), "--data-dir", dataDir, "--approve", "manual"], {
    cwd: repo.dir,
    env: { GROVE_DEMO_DELAY_MS: "5", BLOCK_DIR: blockDir },
  });
  expect(next.stderr).toContain("was interrupted (the grove process landing it died)");
  const settled = (await listPendingMerges(dataDir)).filter((m) => m.sessionId === "s1");
  expect(settled.filter((m) => m.state === "merging")).toEqual([]);
  // None of them passed its merged-tree test: nothing is on main, every one waits for a decision again.
  expect(settled.map((m) => m.state)).toEqual(["waiting", "waiting", "waiting"]);
  expect(await repo.git(["rev-list", "--merges", "--count", "main"])).toBe("0");
  const audit = (await readFile(join(dataDir, "audit", "s1.jsonl"), "utf8")).trim().split("\n");
  const interrupted = audit.map((l) => AuditEntrySchema.parse(JSON.parse(l))).filter((e) => e.action === "merge.interrupted");
  expect(interrupted.map((e) => e.details.settledAs)).toEqual(["waiting", "waiting", "waiting"]);
  expect(await repo.git(["worktree", "list", "--porcelain"])).not.toContain("grove-merge-test-");

  async function secondPlan() {
    const path = join(repo.root, "s2.yaml");
    await writeFile(path, `session: s2\ntasks:\n  - { agent: demo, task: four, prompt: "lines=1" }\n`);
    return path;
  }
});
