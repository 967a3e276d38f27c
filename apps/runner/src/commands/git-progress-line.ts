import type { GitProgress } from "@grove/core/node";

const LINE_STEP_PERCENT = 25;

/**
 * git's progress as stderr lines: one when a stage starts, one per 25 % step, one at 100 %. git itself
 * redraws a line hundreds of times a second, which would flood a log or a terminal's scrollback.
 */
export function gitProgressLines(write: (line: string) => void): (progress: GitProgress) => void {
  return throttleGitProgress(LINE_STEP_PERCENT, (progress) => write(formatGitProgress(progress)));
}

/** Passes on a stage's first event, the first of each `stepPercent` step, and 100 %. */
export function throttleGitProgress(stepPercent: number, emit: (progress: GitProgress) => void): (progress: GitProgress) => void {
  let stage = "";
  let shown = -1;
  return (progress) => {
    const step = progress.progress >= 100 ? 100 : Math.floor(progress.progress / stepPercent) * stepPercent;
    if (progress.stage === stage && step <= shown) return;
    stage = progress.stage;
    shown = step;
    emit(progress);
  };
}

export function formatGitProgress(progress: GitProgress): string {
  return `${progress.method}: ${gitStageName(progress.stage)} ${progress.progress}% (${progress.processed}/${progress.total})`;
}

/** git-process.ts names a stage by git's first word, lower-cased ("updating" for "Updating files"). */
export function gitStageName(stage: string): string {
  if (stage === "updating") return "updating files";
  if (stage === "remote:") return "remote counting objects";
  return `${stage.replace(/:$/, "")} objects`;
}
