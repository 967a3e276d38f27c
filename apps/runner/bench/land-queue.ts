// `pnpm bench queue`'s landing half, run as its own process: lands the approved branches given on stdin
// ([{ branch, head }], all approved at once) through the merge queue of `<repo>` (warm merge trees, or fresh
// ones: today's baseline) and prints
// { ms, kinds }: the time until every one of them settled, and their outcomes in order.
import { openRepo } from "@grove/core/node";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { landAgentBranch } from "../src/merge/land-agent-branch.ts";
import { createMergeQueue } from "../src/merge/merge-queue.ts";
import { createRunLeases } from "../src/run/run-leases.ts";

const [repoPath, trees = "warm"] = process.argv.slice(2);
if (!repoPath || (trees !== "warm" && trees !== "fresh"))
  throw new Error("usage: land-queue.ts <repo> [warm|fresh] < branches.json");
const branches = JSON.parse(readFileSync(0, "utf8")) as { branch: string; head: string }[];
const ctx = await openRepo(repoPath);
const deps = {
  queue: createMergeQueue(),
  leases: createRunLeases({ maxRuns: 8 }),
  log: () => undefined,
  audit: () => undefined,
  freshMergeTrees: trees === "fresh",
};
const started = performance.now();
const outcomes = await Promise.all(
  branches.map(({ branch, head }) =>
    landAgentBranch(deps, { repo: ctx, integration: "main", branch, headSha: head, approval: { kind: "user", by: "bench" } }),
  ),
);
process.stdout.write(JSON.stringify({ ms: performance.now() - started, kinds: outcomes.map((o) => o.kind) }));
