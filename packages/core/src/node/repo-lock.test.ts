import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { runTsScript } from "../test-support/spawn-tsx.ts";
import { withRepoLock } from "./repo-lock.ts";

const holdScript = fileURLToPath(new URL("../test-support/hold-repo-lock.ts", import.meta.url));

describe("withRepoLock", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("runs critical sections of one repository one at a time and removes its lock file", async () => {
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        withRepoLock(repo.dir, async () => {
          maxInside = Math.max(maxInside, ++inside);
          await sleep(2);
          inside--;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    await expect(readFile(join(repo.dir, ".git", "grove.lock"))).rejects.toThrow();
  });

  it("is re-entrant within one call chain", async () => {
    const value = await withRepoLock(repo.dir, () => withRepoLock(repo.dir, () => Promise.resolve(42)));
    expect(value).toBe(42);
  });

  it("releases the lock when the critical section throws", async () => {
    await expect(withRepoLock(repo.dir, () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await withRepoLock(repo.dir, () => Promise.resolve("again"))).toBe("again");
  });

  it("takes over a lock file whose holder process is dead", async () => {
    const child = spawn(process.execPath, ["-e", ""]);
    await once(child, "exit");
    const deadPid = child.pid ?? -1;
    await writeFile(
      join(repo.dir, ".git", "grove.lock"),
      JSON.stringify({ pid: deadPid, host: hostname(), token: "old", at: 0 }),
    );
    expect(await withRepoLock(repo.dir, () => Promise.resolve("taken"), { timeoutMs: 2_000 })).toBe("taken");
  });

  it("gives up with LOCK_TIMEOUT while a live process holds the lock", async () => {
    await writeFile(
      join(repo.dir, ".git", "grove.lock"),
      JSON.stringify({ pid: process.pid, host: hostname(), token: "other", at: Date.now() }),
    );
    await expect(withRepoLock(repo.dir, () => Promise.resolve(1), { timeoutMs: 300 })).rejects.toMatchObject({
      code: "LOCK_TIMEOUT",
    });
    expect(JSON.parse(await readFile(join(repo.dir, ".git", "grove.lock"), "utf8"))).toMatchObject({ token: "other" });
  });

  // Two node + tsx processes taking the lock 15 times each: on a loaded machine their start alone takes seconds, so
  // the cap is above the file default (it passed at 36 s once with a bench beside it); nothing waits on time.
  it("serializes two separate processes", { timeout: 120_000 }, async () => {
    const log = join(repo.root, "lock.log");
    const [a, b] = await Promise.all([
      runTsScript(holdScript, [repo.dir, log, "15"]),
      runTsScript(holdScript, [repo.dir, log, "15"]),
    ]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, "", ""]);
    const lines = (await readFile(log, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(60);
    for (let i = 0; i < lines.length; i += 2) {
      const [start, end] = [lines[i] ?? "", lines[i + 1] ?? ""];
      expect(start.startsWith("start ")).toBe(true);
      expect(end).toBe(start.replace("start", "end"));
    }
  });
});
