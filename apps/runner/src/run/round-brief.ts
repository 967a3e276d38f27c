import { runGit } from "@grove/core/node";
import type { PreparedRound } from "./prepare-round.ts";
import { readResult } from "./read-result.ts";
import { runPaths } from "./run-paths.ts";

const MAX_RECAP_FILES = 50;

/** What the agent of a later round is told about the rounds before (CONTEXT-PACK section, prompt preamble). */
export type RoundBrief = {
  number: number;
  start: "continue" | "fresh";
  previousRunId: string;
  previousHead: string;
  baseSha: string;
  integration: string;
  keptRef: string | null;
  leftovers: string[];
  /** Whether the CLI resumes its conversation of the round before (then no recap is needed). */
  resumed: boolean;
  /** For an agent that starts a new conversation: what the round before did. */
  recap: { summary: string | null; lastCommit: string; files: string[] } | null;
  merge: PreparedRound["merge"];
};

export async function gatherRoundBrief(
  o: { repo: string; integration: string; dataDir: string; resumed: boolean },
  round: PreparedRound,
): Promise<RoundBrief> {
  const { spec } = round;
  return {
    number: spec.number,
    start: spec.start,
    previousRunId: spec.previousRunId,
    previousHead: round.previousHead,
    baseSha: round.baseSha,
    integration: o.integration,
    keptRef: round.keptRef,
    leftovers: round.leftovers,
    resumed: o.resumed,
    recap: o.resumed ? null : await recapPreviousRound(o.repo, o.integration, o.dataDir, spec.previousRunId, round.previousHead),
    merge: round.merge,
  };
}

async function recapPreviousRound(repo: string, integration: string, dataDir: string, runId: string, head: string) {
  const { result } = await readResult(runPaths(dataDir, runId).result);
  const subject = await runGit(["log", "-1", "--format=%s", head], { cwd: repo });
  const forkPoint = await runGit(["merge-base", integration, head], { cwd: repo, okExitCodes: [0, 1] });
  const base = forkPoint.stdout.trim();
  const files =
    forkPoint.exitCode === 0 && base !== ""
      ? (await runGit(["diff", "--name-only", "-z", base, head], { cwd: repo })).stdout.split("\0").filter(Boolean)
      : [];
  return { summary: result?.summary.trim() ?? null, lastCommit: subject.stdout.trim(), files };
}

/**
 * The first lines of a later round's prompt: this round's CONTEXT-PACK and RESULT. A resumed conversation knows
 * the paths of the round before (another run's folder, outside what this round may write), so the latest
 * message must name this round's; for a CLI whose last message is the RESULT (Codex), it says so instead.
 */
export function roundPathsPreamble(
  round: number,
  paths: { contextPack: string; result: string },
  lastMessageIsResult: boolean,
): string {
  const result = lastMessageIsResult
    ? "When you are done, your final message is your RESULT: the JSON the CONTEXT-PACK describes."
    : `When you are done, write your RESULT as JSON to \`${paths.result}\` (this round's file; do not write an earlier round's).`;
  return `This is round ${round}. Read this round's CONTEXT-PACK at ${paths.contextPack} first: paths and rules from an earlier round no longer apply. ${result}\n\n`;
}

/** The lines put before the task's prompt: the conflicts the agent must resolve first. */
export function roundPromptPreamble(brief: RoundBrief): string {
  if (brief.merge?.kind !== "conflict") return "";
  return (
    `grove merged ${brief.integration} (${brief.merge.integrationSha}) into your branch and it conflicts in: ` +
    `${brief.merge.files.join(", ")}. Resolve all of them (no <<<<<<< or >>>>>>> lines may remain), keeping ` +
    `both sides' intent, then commit; the merge is in progress in your worktree.\n\n`
  );
}

/** The CONTEXT-PACK's section for a later round. */
export function renderRoundSection(brief: RoundBrief): string {
  const lines = [
    `## Round ${brief.number}`,
    "",
    `This is round ${brief.number} of this task: the reviewer's feedback is the task above. Round ${brief.number - 1} was run \`${brief.previousRunId}\`; its branch head was \`${brief.previousHead}\`.`,
    brief.start === "continue"
      ? `- You continue on that branch, in the same worktree. What you change now is reviewed as the diff from \`${brief.baseSha}\`.`
      : `- The branch was started again from \`${brief.integration}\` at \`${brief.baseSha}\`; the earlier work is kept under \`${brief.keptRef ?? "refs/grove/archive/"}\`.`,
  ];
  if (brief.leftovers.length > 0)
    lines.push(
      `- ${brief.leftovers.length} file(s) were left uncommitted before this round and are still in your worktree: ${list(brief.leftovers)}.`,
    );
  lines.push(brief.resumed ? "- Your conversation of the round before is resumed." : "- You start a new conversation.");
  if (brief.recap) {
    lines.push("", `### What round ${brief.number - 1} did`, "");
    lines.push(`- RESULT summary: ${brief.recap.summary ?? "(none on this runner)"}`);
    lines.push(`- Last commit: ${brief.recap.lastCommit} (\`${brief.previousHead}\`)`);
    lines.push(`- Files changed on the branch: ${brief.recap.files.length > 0 ? list(brief.recap.files) : "(none)"}`);
  }
  if (brief.merge) lines.push("", ...renderMerge(brief, brief.merge));
  return `${lines.join("\n")}\n\n`;
}

function renderMerge(brief: RoundBrief, merge: NonNullable<RoundBrief["merge"]>): string[] {
  const head = `\`${brief.integration}\` at \`${merge.integrationSha}\``;
  switch (merge.kind) {
    case "up-to-date":
      return [`### Integration branch`, "", `Your branch already holds ${head}.`];
    case "merged":
      return [`### Integration branch`, "", `grove merged ${head} into your branch cleanly (\`${merge.sha ?? ""}\`).`];
    case "conflict":
      return [
        `### Merge conflict to resolve first`,
        "",
        `grove merged ${head} into your branch; it conflicts in:`,
        ...merge.files.map((file) => `- \`${file}\``),
        "",
        "The merge is in progress in your worktree. Resolve each file (no `<<<<<<<` or `>>>>>>>` lines may remain), " +
          "`git add` them and commit. A round that ends with a conflict unresolved fails.",
      ];
  }
}

function list(files: string[]): string {
  const shown = files.slice(0, MAX_RECAP_FILES).map((file) => `\`${file}\``);
  return files.length > MAX_RECAP_FILES ? `${shown.join(", ")}, … and ${files.length - MAX_RECAP_FILES} more` : shown.join(", ");
}
