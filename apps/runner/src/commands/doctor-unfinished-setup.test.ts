import type { DoctorReport } from "@grove/core/node";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { access, readFile, readdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { waitFor } from "../test-support/test-hub.ts";
import { GROVE_BIN, runGrove } from "../test-support/grove-process.ts";

let repo: TempRepo;
beforeEach(async () => {
  repo = await makeTempRepo();
});
afterEach(() => repo.cleanup());

const doctor = async () => {
  const result = await runGrove(["doctor", "--json"], { cwd: repo.dir });
  return { code: result.code, report: JSON.parse(result.stdout) as DoctorReport };
};
const isThere = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** A `grove worktree add demo t1` killed -9 while git checks out a file that waits for the gate: its worktree's path and git folder. */
async function killAddMidCheckout(gate: string): Promise<{ path: string; gitDir: string }> {
  // A file whose checkout waits (a smudge filter) until the gate exists: the add is killed while git checks it out.
  await repo.write({ ".gitattributes": "*.bin filter=gated\n", "data.bin": "data\n" });
  await repo.git(["add", "-A"]);
  await repo.git(["commit", "-q", "-m", "a gated file"]);
  const config = join(repo.dir, ".git", "config");
  const plain = await readFile(config, "utf8");
  await writeFile(config, `${plain}[filter "gated"]\n\tsmudge = "while [ ! -e '${gate}' ]; do sleep 0.05; done; cat"\n`);

  const add = spawn(process.execPath, [GROVE_BIN, "worktree", "add", "demo", "t1"], {
    cwd: repo.dir,
    stdio: "ignore",
    detached: true,
  });
  const admin = join(repo.dir, ".git", "worktrees");
  const setUpLock = async () => {
    for (const id of await readdir(admin).catch(() => [])) {
      const lock = join(admin, id, "grove-setup.lock");
      if (await isThere(lock)) return join(admin, id);
    }
    return null;
  };
  await waitFor(async () => (await setUpLock()) !== null, "the add's set-up lock, held while git checks out");
  const gitDir = (await setUpLock()) ?? "";
  // Killed while git holds the new worktree's index (its checkout waits on the filter): git leaves index.lock behind.
  await waitFor(() => isThere(join(gitDir, "index.lock")), "git's checkout to hold the worktree's index");
  process.kill(-(add.pid ?? 0), "SIGKILL");
  await once(add, "exit");
  const path = (await readFile(join(gitDir, "gitdir"), "utf8")).trim().replace(/\/\.git$/, "");
  expect(await repo.git(["status", "--porcelain"], { cwd: path })).toMatch(/^D +data\.bin$/m);
  return { path, gitDir };
}

it("reports a worktree whose add was killed -9 mid-checkout, until `grove worktree add` again finishes it", async () => {
  const gate = join(repo.root, "gate");
  const { path, gitDir } = await killAddMidCheckout(gate);

  // Just killed: the doctor waits as it does for a lock file, in case an add is only starting.
  expect((await doctor()).report.findings.map((f) => f.kind)).not.toContain("unfinished-setup");
  const minutesAgo = new Date(Date.now() - 5 * 60_000);
  await utimes(join(gitDir, "grove-setup-pending"), minutesAgo, minutesAgo);
  const { code, report } = await doctor();
  const finding = report.findings.find((f) => f.kind === "unfinished-setup");
  expect(finding).toMatchObject({ path, branch: "agent/demo/t1", isSafeToFix: false });
  expect(finding?.fix).toBe("grove worktree add demo t1 (finishes the set-up), or grove worktree remove --force demo t1");
  expect(code).not.toBe(0);
  // Never "fixed" behind anyone's back: finishing it may run the repository's setup command.
  const fixed = JSON.parse((await runGrove(["doctor", "--fix", "--json"], { cwd: repo.dir })).stdout) as DoctorReport;
  expect(fixed.fixed.map((f) => f.kind)).not.toContain("unfinished-setup");

  await writeFile(gate, "");
  const again = await runGrove(["worktree", "add", "demo", "t1"], { cwd: repo.dir });
  expect(again.code, again.stderr).toBe(0);
  expect(await repo.git(["status", "--porcelain"], { cwd: path })).toBe("");
  expect(await readFile(join(path, "data.bin"), "utf8")).toBe("data\n");
  expect((await doctor()).report.findings).toEqual([]);
});

it("refuses a plain remove of it by saying its set-up never finished, not that it holds work; --force removes it", async () => {
  const { path } = await killAddMidCheckout(join(repo.root, "gate"));
  const plain = await runGrove(["worktree", "remove", "demo", "t1"], { cwd: repo.dir });
  expect(plain.code).not.toBe(0);
  expect(plain.stderr).toContain(`The set-up of worktree ${path} never finished`);
  expect(plain.stderr).not.toContain("uncommitted work that removing it would lose");
  expect(plain.stderr).not.toContain("commit the work");
  const forced = await runGrove(["worktree", "remove", "--force", "demo", "t1"], { cwd: repo.dir });
  expect(forced.code).toBe(0);
  expect(await isThere(path)).toBe(false);
});
