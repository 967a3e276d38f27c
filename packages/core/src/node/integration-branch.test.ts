import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { makeTempRepo } from "../test-support/index.ts";
import { assertIntegrationBranch } from "./integration-branch.ts";
import { runGit } from "./run-git.ts";

it("passes an existing integration branch and names the repository's branches for a missing one", async () => {
  const repo = await makeTempRepo();
  try {
    await assertIntegrationBranch(repo.dir, "main");
    await repo.git(["branch", "develop"]);
    await expect(assertIntegrationBranch(repo.dir, "trunk")).rejects.toThrow(
      `the integration branch "trunk" does not exist in ${repo.dir} (its branches: develop, main): set \`integration: main\` in grove.yaml, or in the session plan that named it`,
    );
    // However many agent branches sort before them, the repository's own branches are named.
    for (const n of [1, 2, 3, 4, 5, 6]) await repo.git(["branch", `agent/a/t${n}`]);
    await expect(assertIntegrationBranch(repo.dir, "trunk")).rejects.toThrow(
      "(its branches: develop, main, agent/a/t1, agent/a/t2, agent/a/t3, …): set `integration: main`",
    );
  } finally {
    await repo.cleanup();
  }
});

it("says a repository with no commits has none yet", async () => {
  const dir = await mkdtemp(join(tmpdir(), "grove-empty-"));
  try {
    await runGit(["init", "-q", "-b", "main"], { cwd: dir });
    await expect(assertIntegrationBranch(dir, "main")).rejects.toThrow("it has no commits yet; commit something on main first");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
