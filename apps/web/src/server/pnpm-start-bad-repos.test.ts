import { mkdir, mkdtemp, readdir, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runTsScript } from "@grove/core/test-support";
import { afterEach, expect, it } from "vitest";

// `pnpm start` with GROVE_REPOS naming what is no repository: said at once, before anything is built or written.

const START = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../scripts/start.ts");
let root = "";
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

it.each([
  ["a path that does not exist", (dir: string) => path.join(dir, "missing"), "does not exist"],
  ["a folder that is no git repository", (dir: string) => path.join(dir, "plain"), "is not inside a git repository"],
])("refuses %s in GROVE_REPOS, and writes no data dir", async (_, repoOf, says) => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), "grove-start-bad-repos-")));
  await mkdir(path.join(root, "plain"));
  const repo = repoOf(root);
  const dataDir = path.join(root, "data");
  const result = await runTsScript(START, [], {
    cwd: root,
    env: { GROVE_DATA_DIR: dataDir, GROVE_REPOS: repo, PORT: "0", GROVE_SKIP_BUILD: undefined },
  });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`grove: GROVE_REPOS names ${repo}: `);
  expect(result.stderr).toContain(says);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).not.toContain("building");
  expect(await readdir(root)).toEqual(["plain"]);
});
