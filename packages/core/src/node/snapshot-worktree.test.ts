import { utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { snapshotCommit } from "./snapshot-worktree.ts";

// Each round makes the racy case exactly (no luck involved), so a snapshot that trusts the index's stat data
// fails every round; the rounds check it holds across index rewrites. Two hundred took 120 s under load.
const ROUNDS = 20;

describe("snapshotCommit", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo({ files: { "a.txt": "round 000 a\n", "b.txt": "round 000 b\n" } });
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  // git trusts an index entry whose stat data matches the file unless the entry is "racy": not older than
  // the index file itself. A same-size edit within the same timestamp tick as the index write matches on
  // stat; only the index's own timestamp makes git look at the content, so a snapshot must keep it.
  // The tick is made exact here: file and index get the same mtime (ctime cannot be set, so it is not trusted).
  it(`holds a same-size edit made in the tick of the last index write, ${ROUNDS} times in a row`, async () => {
    await repo.git(["config", "core.trustctime", "false"]);
    const head = await repo.git(["rev-parse", "HEAD"]);
    const index = join(repo.dir, ".git", "index");
    const missed: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const tag = String(round).padStart(3, "0");
      // A tick in the past: a copy of the index made now is always newer than it, so a snapshot that does not
      // keep the index's own time misses the edit in every round, whatever the machine's speed.
      const tick = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000);
      for (const name of ["a", "b"]) {
        await writeFile(join(repo.dir, `${name}.txt`), `staged ${tag} ${name}\n`);
        await utimes(join(repo.dir, `${name}.txt`), tick, tick);
      }
      await repo.git(["add", "a.txt", "b.txt"]);
      for (const name of ["a", "b"]) {
        await writeFile(join(repo.dir, `${name}.txt`), `edited ${tag} ${name}\n`);
        await utimes(join(repo.dir, `${name}.txt`), tick, tick);
      }
      await utimes(index, tick, tick);
      // git itself sees the edit (the entries are racy), so a snapshot that misses it lost work.
      expect(await repo.git(["diff", "--name-only"])).toBe("a.txt\nb.txt");

      const snapshot = await snapshotCommit(repo.dir, head, `snapshot ${tag}`);
      const a = await repo.git(["show", `${snapshot}:a.txt`]);
      const b = await repo.git(["show", `${snapshot}:b.txt`]);
      if (a !== `edited ${tag} a` || b !== `edited ${tag} b`) missed.push(round);
    }
    expect(missed).toEqual([]);
  }, 300_000);

  it("leaves the worktree's own index as it was", async () => {
    await writeFile(join(repo.dir, "a.txt"), "changed a\n");
    await writeFile(join(repo.dir, "new.txt"), "untracked\n");
    const before = await repo.git(["status", "--porcelain"]);
    const snapshot = await snapshotCommit(repo.dir, await repo.git(["rev-parse", "HEAD"]), "snapshot");
    expect(await repo.git(["status", "--porcelain"])).toBe(before);
    expect(await repo.git(["show", `${snapshot}:new.txt`])).toBe("untracked");
    expect(await repo.git(["show", `${snapshot}:a.txt`])).toBe("changed a");
  });
});
