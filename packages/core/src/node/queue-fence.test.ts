import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { agentCommit } from "../test-support/merge-fixtures.ts";
import { makeTempRepo, type TempRepo } from "../test-support/temp-repo.ts";
import { buildQueueCandidate, landQueueCandidate, notRun } from "./queue-candidate.ts";
import { claimQueueFence, readQueueFence } from "./queue-fence.ts";
import { ensureRepositoryId, readRepositoryId } from "./repository-id.ts";

const repos: TempRepo[] = [];
afterEach(async () => {
  for (const repo of repos.splice(0)) await repo.cleanup();
});
async function repo() {
  const made = await makeTempRepo({ files: { "README.md": "# app\n" } });
  repos.push(made);
  return made;
}

async function candidateOf(r: TempRepo, taskId: string) {
  const { head } = await agentCommit(r, "demo", taskId, { [`${taskId}.txt`]: `${taskId}\n` });
  const target = { repo: r.dir, into: "main", branch: `agent/demo/${taskId}`, approvedSha: head };
  const built = await buildQueueCandidate(
    { ...target, message: `Merge ${taskId}`, brain: "project-brain" },
    await r.git(["rev-parse", "main"]),
  );
  if (built.kind !== "built") throw new Error(`not built: ${JSON.stringify(built)}`);
  return { target, candidate: built.candidate };
}

describe("the queue lease fence in git", () => {
  it("lets the fence's owner land, and refuses a stale owner's landing in the same ref transaction", async () => {
    const r = await repo();
    const a = await claimQueueFence(r.dir, { integration: "main", epoch: 1, holder: "runner-a:1" });
    if (a.kind !== "claimed") throw new Error("not claimed");
    const first = await candidateOf(r, "t1");
    expect(await landQueueCandidate({ ...first.target, fence: a.fence }, first.candidate, notRun("none"))).toMatchObject({
      kind: "merged",
    });

    // Runner b takes the queue over (epoch 2) while a still holds a candidate built on the current head.
    const second = await candidateOf(r, "t2");
    const b = await claimQueueFence(r.dir, { integration: "main", epoch: 2, holder: "runner-b:2" });
    expect(b).toMatchObject({ kind: "claimed", fence: { epoch: 2 } });
    const before = await r.git(["rev-parse", "main"]);
    expect(await landQueueCandidate({ ...second.target, fence: a.fence }, second.candidate, notRun("none"))).toBe("fenced");
    expect(await r.git(["rev-parse", "main"])).toBe(before);
    // The checkout of main was moved back too: the stale candidate's file is not there.
    await expect(readFile(join(r.dir, "t2.txt"), "utf8")).rejects.toThrow(/ENOENT/);
    expect(await r.git(["status", "--porcelain"])).toBe("");
    // A stale owner cannot move the fence back either.
    expect(await claimQueueFence(r.dir, { integration: "main", epoch: 1, holder: "runner-a:1" })).toEqual({
      kind: "stale",
      epoch: 2,
    });
    expect((await readQueueFence(r.dir, "main"))?.epoch).toBe(2);
    if (b.kind !== "claimed") throw new Error("not claimed");
    expect(await landQueueCandidate({ ...second.target, fence: b.fence }, second.candidate, notRun("none"))).toMatchObject({
      kind: "merged",
    });
  });

  it("gives concurrent claimers of one epoch one fence, and refuses bad input", async () => {
    const r = await repo();
    const claims = await Promise.all(
      [1, 2, 3, 2, 1].map((epoch) => claimQueueFence(r.dir, { integration: "main", epoch, holder: `h-${epoch}` })),
    );
    expect((await readQueueFence(r.dir, "main"))?.epoch).toBe(3);
    expect(claims.filter((c) => c.kind === "claimed" && c.fence.epoch === 3)).toHaveLength(1);
    await expect(claimQueueFence(r.dir, { integration: "main", epoch: 0, holder: "h" })).rejects.toThrow(/positive integer/);
    await expect(claimQueueFence(r.dir, { integration: "main", epoch: 4, holder: "a b\nepoch 9" })).rejects.toThrow(/holder/);
    await expect(claimQueueFence(r.dir, { integration: "../x", epoch: 4, holder: "h" })).rejects.toThrow();
    expect((await readQueueFence(r.dir, "main"))?.epoch).toBe(3);
  });
});

describe("grove.repositoryId", () => {
  it("is created once, even by racing callers, is shared by linked worktrees, and a malformed one is refused", async () => {
    const r = await repo();
    expect(await readRepositoryId(r.dir)).toBeNull();
    const ids = await Promise.all(Array.from({ length: 4 }, () => ensureRepositoryId(r.dir)));
    expect(new Set(ids).size).toBe(1);
    const { path } = await agentCommit(r, "demo", "wt", { "x.txt": "x\n" });
    expect(await ensureRepositoryId(path)).toBe(ids[0]);
    await r.git(["config", "--local", "--replace-all", "grove.repositoryId", "bad id!"]);
    await expect(ensureRepositoryId(r.dir)).rejects.toThrow(/must be 8 to 64/);
    expect(await r.git(["config", "--local", "--get-all", "grove.repositoryId"])).toBe("bad id!");
  });
});
