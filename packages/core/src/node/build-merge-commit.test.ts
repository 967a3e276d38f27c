import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { buildMergeCommit } from "./build-merge-commit.ts";

// A machine where git knows no one: no user.name/user.email anywhere, and git told not to guess one from the
// host name (user.useConfigOnly), as on a service account or in a fresh container.
describe("buildMergeCommit on a machine without a git identity", () => {
  let repo: TempRepo;
  let home: string;
  const saved = {
    HOME: process.env.HOME,
    XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME,
    NOSYSTEM: process.env.GIT_CONFIG_NOSYSTEM,
  };
  beforeEach(async () => {
    repo = await makeTempRepo({ files: { "README.md": "# test\n" } });
    home = await mkdtemp(join(tmpdir(), "grove-no-identity-"));
    Object.assign(process.env, { HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: "1" });
    await repo.git(["config", "--unset", "user.name"]);
    await repo.git(["config", "--unset", "user.email"]);
    await repo.git(["config", "user.useConfigOnly", "true"]);
  });
  afterEach(async () => {
    for (const [name, value] of [
      ["HOME", saved.HOME],
      ["XDG_CONFIG_HOME", saved.XDG_CONFIG_HOME],
      ["GIT_CONFIG_NOSYSTEM", saved.NOSYSTEM],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    await repo.cleanup();
    await rm(home, { recursive: true, force: true });
  });

  it("builds the merge commit as grove, as grove's other commits are", async () => {
    const base = await repo.git(["rev-parse", "main"]);
    const as = ["-c", "user.name=agent", "-c", "user.email=a@x.invalid"];
    await repo.git(["switch", "-q", "-c", "agent/demo/t1"]);
    await repo.write({ "feature.txt": "feature\n" });
    await repo.git(["add", "-A"]);
    await repo.git([...as, "commit", "-q", "-m", "agent work"]);
    const head = await repo.git(["rev-parse", "HEAD"]);
    await repo.git(["switch", "-q", "main"]);
    await repo.write({ "other.txt": "other\n" });
    await repo.git(["add", "-A"]);
    await repo.git([...as, "commit", "-q", "-m", "main work"]);
    const old = await repo.git(["rev-parse", "main"]);
    expect(old).not.toBe(base);

    const built = await buildMergeCommit(repo.dir, old, head, "Merge agent/demo/t1");

    expect(built.kind).toBe("built");
    const sha = built.kind === "built" ? built.sha : "";
    expect(await repo.git(["log", "-1", "--format=%cn <%ce>", sha])).toBe("grove <grove@localhost>");
  });
});
