import { describeError } from "@grove/core";
import { keepDependencies, seedDependencies, setupInputKey, type DependencySeed } from "@grove/core/node";
import type { ProcessExit } from "@grove/core/node";
import { runRepoCommand } from "./run-agent.ts";
import type { RunScope } from "./run-scope.ts";

/**
 * grove.yaml's setup in a run's worktree, with the dependencies an earlier setup left for the same lockfiles
 * copied in first where the file system clones files (`reuseDependencies: true`: always; `false`: never), and
 * this setup's kept for the next worktree when there were none. Reuse never fails a run: a copy that fails leaves setup to install as it would have.
 */
export async function runSetup(scope: RunScope, setup: string, worktree: string, signal: AbortSignal): Promise<ProcessExit> {
  const ctx = scope.req.repo;
  const seed: DependencySeed =
    ctx.config.reuseDependencies === false
      ? { kind: "skipped", reason: "reuseDependencies: false" }
      : await seedDependencies(ctx, worktree, setup, { always: ctx.config.reuseDependencies === true }).catch(
          (error: unknown) => ({
            kind: "skipped" as const,
            reason: `could not copy kept dependencies: ${describeError(error)}`,
          }),
        );
  if (seed.kind === "seeded")
    scope.system(`dependencies copied from an earlier setup with the same lockfiles: ${seed.folders.join(", ")}`);
  scope.system(`running setup: ${setup}`);
  const result = await runRepoCommand(scope, setup, worktree, "system", signal);
  if (result.exitCode === 0) scope.setupKey = await setupKeyAt(scope, worktree, setup);
  if (seed.kind === "missing" && result.exitCode === 0 && !signal.aborted) {
    const kept = await keepDependencies(ctx, worktree, seed.key).catch((error: unknown) => {
      scope.system(`could not keep the dependencies for later worktrees: ${describeError(error)}`);
      return [];
    });
    if (kept.length > 0) scope.system(`kept ${kept.join(", ")} for the next worktree with the same lockfiles`);
  }
  return result;
}

function setupKeyAt(scope: RunScope, worktree: string, setup: string): Promise<string> {
  const ctx = scope.req.repo;
  return setupInputKey({ treeish: "HEAD", cwd: worktree, setup, mainCheckout: ctx.isBare ? null : ctx.repo });
}

/**
 * Runs setup again before the tests when the agent's commits changed what it reads (a lockfile, a manifest,
 * a script the command names): the tests must see the install of the branch's own manifest, as the
 * merged-tree test does, not the one setup made from the base before the agent. Only the command runs:
 * dependencies are never kept from a tree an agent wrote in. Null when setup stands as it ran.
 */
export async function rerunChangedSetup(scope: RunScope, worktree: string, signal: AbortSignal): Promise<ProcessExit | null> {
  const setup = scope.req.repo.config.setup;
  if (setup === undefined || scope.setupKey === null) return null;
  const key = await setupKeyAt(scope, worktree, setup);
  if (key === scope.setupKey) return null;
  scope.system(`setup inputs changed on ${scope.branch} since setup ran: running setup again before the tests: ${setup}`);
  const result = await runRepoCommand(scope, setup, worktree, "system", signal);
  if (result.exitCode === 0) scope.setupKey = key;
  return result;
}
