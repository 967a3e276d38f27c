import { stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { snapshotCommit } from "./snapshot-worktree.ts";
import { worktreeStatus } from "./worktree-status.ts";

describe("snapshotCommit", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = await makeTempRepo();
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  // git compares whole seconds: an edit of the same size in the same second as its `git add` leaves the
  // file's stat as the index recorded it. git catches that ("racily clean") only by comparing against the
  // index file's own mtime, so the copy of the index a snapshot starts from has to keep that mtime.
  it("keeps an edit made in the same second as the file's last git add", async () => {
    const head = await repo.git(["rev-parse", "HEAD"]);
    let file = "";
    for (let attempt = 0; attempt < 50 && file === ""; attempt++) {
      const name = `racy-${attempt}.txt`;
      const path = join(repo.dir, name);
      await writeFile(path, "version 1\n");
      const added = await stat(path);
      await repo.git(["add", "--", name]);
      await writeFile(path, "version 2\n");
      const edited = await stat(path);
      if (Math.floor(edited.ctimeMs / 1000) !== Math.floor(added.ctimeMs / 1000)) continue;
      // The index written in that second too, however long `git add` took.
      await utimes(join(repo.dir, ".git", "index"), added.atime, added.mtime);
      file = name;
    }
    expect(file).not.toBe("");
    const second = Math.floor(Date.now() / 1000);
    while (Math.floor(Date.now() / 1000) === second) await sleep(20);

    expect(await worktreeStatus(repo.dir)).toContainEqual({ code: "AM", path: file });
    const commit = await snapshotCommit(repo.dir, head, "snapshot\n");
    expect(await repo.git(["show", `${commit}:${file}`])).toBe("version 2");
  });
});
