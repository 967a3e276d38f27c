import { spawnSync } from "node:child_process";
import { chmod, open, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { childrenOf, exists, waitUntil } from "../test-support/spawner-faults.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { createAgentWorktree } from "./create-agent-worktree.ts";
import { processSpawnerReady, useProcessSpawner } from "./process-spawner.ts";

// This file's setup (process-spawner-setup.ts) has put the spawner in use, as the runner and `grove session run` do.
describe("createAgentWorktree when the process spawner dies under its `worktree add` or checkout", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    useProcessSpawner();
    await processSpawnerReady();
    repo = await makeTempRepo({ files: { "src/a.txt": "a\n" } });
  });
  afterEach(async () => {
    await repo.cleanup();
  });

  it("a git that did its work but was lost with the spawner: the worktree is finished, its branch kept", async () => {
    const fifo = join(repo.root, "hold");
    const held = join(repo.root, "held");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    // The hook holds git once the new branch is committed, until the test lets it go.
    const hook = join(repo.dir, ".git", "hooks", "reference-transaction");
    const holdOnce = `[ "$1" = committed ] && [ ! -e '${held}' ] && { : > '${held}'; cat '${fifo}' > /dev/null; }`;
    await writeFile(hook, `#!/bin/sh\ncat > /dev/null\n${holdOnce}\nexit 0\n`);
    await chmod(hook, 0o755);

    const creating = createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t1", onProgress: () => undefined });
    const settled = creating.then(
      (created) => ({ created }),
      (error: unknown) => ({ error }),
    );
    await waitUntil(() => exists(held));
    const spawner = (await processSpawnerReady()) as number;
    const [git] = childrenOf(spawner);
    expect(git).toBeDefined();
    // Stopped, the spawner can pass on neither git's output nor its end: git finishes, and then the spawner dies.
    process.kill(spawner, "SIGSTOP");
    await (await open(fifo, "w")).close();
    await waitUntil(async () => isZombie(git as number));
    process.kill(spawner, "SIGKILL");

    const outcome = await settled;
    expect(outcome).toMatchObject({ created: { branch: "agent/demo/t1", created: false, resumed: true } });
    const path = join(repo.root, "repo-wt-demo-t1");
    expect(await repo.git(["rev-parse", "--abbrev-ref", "HEAD"], { cwd: path })).toBe("agent/demo/t1");
    expect(await repo.git(["rev-parse", "agent/demo/t1"])).toBe(await repo.git(["rev-parse", "main"]));
    expect(await readFile(join(path, "src", "a.txt"), "utf8")).toBe("a\n");
  });

  it("a checkout of the new worktree lost with the spawner is run again: the run gets its worktree", async () => {
    const fifo = join(repo.root, "hold");
    const held = join(repo.root, "held");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    // The hook holds the first checkout once its files are written, until the test lets it go; a second one passes.
    const hook = join(repo.dir, ".git", "hooks", "post-checkout");
    await writeFile(hook, `#!/bin/sh\n[ ! -e '${held}' ] && { : > '${held}'; cat '${fifo}' > /dev/null; }\nexit 0\n`);
    await chmod(hook, 0o755);

    const creating = createAgentWorktree({ repo: repo.dir, agent: "demo", taskId: "t2", onProgress: () => undefined });
    const settled = creating.then(
      (created) => ({ created }),
      (error: unknown) => ({ error }),
    );
    await waitUntil(() => exists(held));
    process.kill((await processSpawnerReady()) as number, "SIGKILL");
    const outcome = await settled;
    await (await open(fifo, "w")).close();

    expect(outcome).toMatchObject({ created: { branch: "agent/demo/t2", created: true } });
    const path = join(repo.root, "repo-wt-demo-t2");
    expect(await readFile(join(path, "src", "a.txt"), "utf8")).toBe("a\n");
    expect(await repo.git(["status", "--porcelain"], { cwd: path })).toBe("");
  });
});

async function isZombie(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  return /^\d+ \(.*\) Z/.test(stat);
}
