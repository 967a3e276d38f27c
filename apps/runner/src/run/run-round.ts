import type { RoundSpec } from "@grove/core";
import type { CreatedWorktree } from "@grove/core/node";
import { findProfile } from "../launch/agent-profiles.ts";
import type { ConflictLeft } from "./merge-integration-in.ts";
import { clearForFreshStart, prepareRound, previousRoundHead } from "./prepare-round.ts";
import { gatherRoundBrief, roundPathsPreamble, roundPromptPreamble, type RoundBrief } from "./round-brief.ts";
import { runPaths } from "./run-paths.ts";
import type { RunScope } from "./run-scope.ts";

/** A later round, ready for its agent: the brief for its CONTEXT-PACK, its prompt, the conversation it resumes. */
export type StartedRound = {
  brief: RoundBrief;
  prompt: string;
  resumeSessionId: string | undefined;
  /** Files the agent must resolve (a conflicted merge of the integration branch), as the merge left them; empty when none. */
  conflicts: ConflictLeft[];
};

function targetOf(scope: RunScope) {
  const { task } = scope.req;
  return {
    repo: scope.req.repo.repo,
    agent: task.agent,
    taskId: task.taskId,
    branch: scope.branch,
    integration: scope.req.integration,
  };
}

/**
 * Before a later round's worktree is made: the head of the branch it continues (throws, nothing created, when the
 * branch is gone), and for a fresh start, the old worktree and branch cleared away with their work archived.
 */
export async function readyRoundBranch(
  scope: RunScope,
  spec: RoundSpec,
): Promise<{ previousHead: string; keptRef: string | null }> {
  const previousHead = await previousRoundHead(targetOf(scope), spec);
  const keptRef = spec.start === "fresh" ? await clearForFreshStart(targetOf(scope)) : null;
  return { previousHead, keptRef };
}

/** Readies the round's worktree (prepare-round.ts), tells the log and the ledger, and builds what the agent gets. */
export async function startRound(
  scope: RunScope,
  spec: RoundSpec,
  worktree: CreatedWorktree,
  branch: { previousHead: string; keptRef: string | null },
): Promise<StartedRound> {
  const { req } = scope;
  const { previousHead } = branch;
  const round = await prepareRound(targetOf(scope), spec, worktree, previousHead, branch.keptRef);
  const profile = findProfile(req.task.profile, req.repo.config);
  const canResume = profile.resume !== undefined;
  const resumed = canResume && spec.resumeSessionId !== undefined;
  const brief = await gatherRoundBrief(
    { repo: req.repo.repo, integration: req.integration, dataDir: scope.deps.dataDir, resumed },
    round,
  );
  for (const line of describeRound(brief, canResume)) scope.system(line);
  if (round.abortedMerge)
    scope.system(
      `the round before left a merge unresolved in the worktree: undone here, its state kept in ${round.keptRef ?? "?"}`,
    );
  scope.audit("round.prepared", {
    sha: round.baseSha,
    details: {
      round: spec.number,
      start: spec.start,
      previousRunId: spec.previousRunId,
      previousHead,
      baseSha: round.baseSha,
      keptRef: round.keptRef,
      leftovers: round.leftovers.length,
      abortedMerge: round.abortedMerge,
      resumed,
      resumeSessionId: resumed ? spec.resumeSessionId : null,
      integration: round.merge && {
        outcome: round.merge.kind,
        integrationSha: round.merge.integrationSha,
        mergeSha: round.merge.sha,
        files: round.merge.files,
      },
    },
  });
  return {
    brief,
    prompt:
      roundPathsPreamble(spec.number, runPaths(scope.deps.dataDir, req.task.runId), lastMessageIsResult(profile.command)) +
      roundPromptPreamble(brief) +
      req.task.prompt,
    resumeSessionId: resumed ? spec.resumeSessionId : undefined,
    conflicts: round.merge?.left ?? [],
  };
}

/** A CLI that writes its last message to a file grove reads first (Codex's --output-last-message) answers with its RESULT. */
const lastMessageIsResult = (command: readonly string[]) => command.some((arg) => arg.includes("{lastMessage}"));

function describeRound(brief: RoundBrief, canResume: boolean): string[] {
  const lines = [
    brief.start === "continue"
      ? `round ${brief.number}: continuing on the branch at ${brief.previousHead.slice(0, 12)} (run ${brief.previousRunId})`
      : `round ${brief.number}: started again from ${brief.integration} at ${brief.baseSha.slice(0, 12)}; the earlier work is kept in ${brief.keptRef ?? "?"}`,
  ];
  if (brief.leftovers.length > 0)
    lines.push(
      `${brief.leftovers.length} file(s) left uncommitted before this round stay in the worktree; a snapshot is kept in ${brief.keptRef ?? "?"}`,
    );
  if (brief.resumed) lines.push("resuming the agent's conversation of the round before");
  else
    lines.push(
      canResume
        ? "no agent session to resume: the agent starts a new conversation; the CONTEXT-PACK recaps the round before"
        : "this profile cannot resume a conversation: the agent starts a new one; the CONTEXT-PACK recaps the round before",
    );
  const merge = brief.merge;
  if (merge?.kind === "merged")
    lines.push(
      `merged ${brief.integration} (${merge.integrationSha.slice(0, 12)}) into the branch: ${merge.sha?.slice(0, 12) ?? ""}`,
    );
  if (merge?.kind === "up-to-date")
    lines.push(`the branch already holds ${brief.integration} (${merge.integrationSha.slice(0, 12)})`);
  if (merge?.kind === "conflict")
    lines.push(
      `merging ${brief.integration} (${merge.integrationSha.slice(0, 12)}) conflicts in ${merge.files.join(", ")}: left for the agent to resolve`,
    );
  if (merge?.leftoversCommit)
    lines.push(`committed the uncommitted leftovers first (${merge.leftoversCommit.slice(0, 12)}) so the merge could run`);
  return lines;
}
