import { agentBranch, type RunState, type TaskSpec } from "@grove/core";
import { assertSafeRunId } from "./run-paths.ts";

/** A run this runner started: how to stop it, when it is done, and the task branch it works on. */
export type TaskRun = {
  abort: AbortController;
  done: Promise<RunState>;
  branch: string;
  /** It sent its final state and no longer touches its worktree (it may still be shipping its last log lines). */
  hasEnded: boolean;
};

/**
 * Refuses a task whose branch a run of this runner still works on: a later round (or a re-run) would share its
 * worktree. The same run sent again is not refused (a resent session:start).
 */
export function assertBranchIsFree(runs: ReadonlyMap<string, TaskRun>, branch: string, runId: string): void {
  const live = [...runs].find(([id, run]) => run.branch === branch && id !== runId && !run.hasEnded);
  if (live) throw new Error(`run ${live[0]} is still working on ${branch}; send this task again once it ended`);
}

/**
 * A run of `branch`, started once every earlier run of that branch is done (one that ended may still be shipping
 * its last log lines); `start` gets the callback that marks it ended.
 */
export function queueTaskRun(
  runs: ReadonlyMap<string, TaskRun>,
  branch: string,
  abort: AbortController,
  start: (onEnded: () => void) => Promise<RunState>,
): TaskRun {
  const before = Promise.all([...runs.values()].filter((run) => run.branch === branch).map((run) => run.done));
  const run: TaskRun = { abort, branch, hasEnded: false, done: Promise.resolve<RunState>("queued") };
  run.done = before.then(() => start(() => void (run.hasEnded = true)));
  return run;
}

/** A session's tasks may start: safe run ids, one branch per task, no branch another live run still works on. */
export function assertTasksCanStart(runs: ReadonlyMap<string, TaskRun>, tasks: readonly TaskSpec[]): void {
  const branches = new Set<string>();
  for (const task of tasks) {
    assertSafeRunId(task.runId);
    const branch = agentBranch(task.agent, task.taskId);
    if (branches.has(branch)) throw new Error(`two tasks of the session would share the branch ${branch}`);
    branches.add(branch);
    assertBranchIsFree(runs, branch, task.runId);
  }
}
