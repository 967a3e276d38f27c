import { describeError } from "@grove/core";
import { keepDependencies, seedDependencies, type DependencySeed } from "@grove/core/node";
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
  if (seed.kind === "missing" && result.exitCode === 0 && !signal.aborted) {
    const kept = await keepDependencies(ctx, worktree, seed.key).catch((error: unknown) => {
      scope.system(`could not keep the dependencies for later worktrees: ${describeError(error)}`);
      return [];
    });
    if (kept.length > 0) scope.system(`kept ${kept.join(", ")} for the next worktree with the same lockfiles`);
  }
  return result;
}
