import { spawn } from "node:child_process";
import { once } from "node:events";
import { access, readdir, utimes } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { runDoctor } from "./doctor.ts";

const holdScript = fileURLToPath(new URL("../test-support/hold-lock-file.ts", import.meta.url));
let repo: TempRepo;
beforeEach(async () => {
  repo = await makeTempRepo();
});
afterEach(() => repo.cleanup());

const isThere = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );
const staleLocks = async (fix: boolean) =>
  (await runDoctor({ repo: repo.dir, fix })).findings.filter((f) => f.kind === "stale-lock-file").map((f) => f.path);

it("never calls a set-up lock a live process holds stale, however old; once its holder died -9 it is, and --fix deletes it", async () => {
  await createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1" });
  const [id = ""] = await readdir(join(repo.dir, ".git", "worktrees"));
  const lock = join(repo.dir, ".git", "worktrees", id, "grove-setup.lock");
  const holder = spawn(process.execPath, ["--import", "tsx", holdScript, lock], {
    cwd: dirname(holdScript),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [held] = (await once(holder.stdout, "data")) as [Buffer];
  expect(held.toString()).toBe("held\n");
  // Held for ten minutes with no git process running (a long .worktreeinclude copy, say).
  const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
  await utimes(lock, tenMinutesAgo, tenMinutesAgo);

  expect(await staleLocks(true)).toEqual([]);
  expect(await isThere(lock)).toBe(true);

  holder.kill("SIGKILL");
  await once(holder, "exit");
  expect(await staleLocks(false)).toEqual([lock]);
  expect(await staleLocks(true)).toEqual([lock]);
  expect(await isThere(lock)).toBe(false);
});
