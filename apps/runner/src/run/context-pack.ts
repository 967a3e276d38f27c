import type { TaskSpec } from "@grove/core";
import type { BrainFile } from "./brain-files.ts";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "@grove/core/private-files";
import { renderRoundSection, type RoundBrief } from "./round-brief.ts";

export type ContextPackInput = {
  sessionId: string;
  task: TaskSpec;
  branch: string;
  integration: string;
  worktreePath: string;
  baseSha: string;
  brainDir: string;
  resultPath: string;
  brainFiles?: BrainFile[];
  /** A later review round: where it starts and what the rounds before left (run/round-brief.ts). */
  round?: RoundBrief;
};

/** The CONTEXT-PACK (seed section 5, option C): what the agent is asked, and the rules it works under. */
export function renderContextPack(input: ContextPackInput): string {
  const { task } = input;
  return `# CONTEXT-PACK — ${task.agent} / ${task.taskId}

Session \`${input.sessionId}\`, run \`${task.runId}\`.

## Task

${task.prompt.trim() || "(no prompt given)"}

${input.round ? renderRoundSection(input.round) : ""}## Constraints

- Work only in your worktree \`${input.worktreePath}\`, on the branch \`${input.branch}\`
  (created from \`${input.integration}\` at \`${input.baseSha}\`). Commit your work on that branch;
  do not switch branches, rebase others' work, or push.
- Do not write the brain folder \`${input.brainDir}/\`. Hand what you learned back in your RESULT;
  the orchestrator deposits it into the brain after the merge.
- Other agents work on other branches of the same repository at the same time; keep your change to your task.
- When you are done, write your RESULT as JSON to \`${input.resultPath}\` (also in $GROVE_RESULT).

${renderBrainFiles(input.brainFiles ?? [])}## RESULT format

\`\`\`json
{
  "status": "done | partial | failed",
  "summary": "what you did, in a few sentences",
  "learnings": [{ "title": "short title", "body": "what the next agent should know", "tags": ["optional"] }],
  "files": ["paths you changed (optional)"],
  "followUps": ["work left for later (optional)"]
}
\`\`\`
`;
}

export async function writeContextPack(path: string, input: ContextPackInput): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  await writeFile(path, renderContextPack(input), { mode: PRIVATE_FILE_MODE });
}

function renderBrainFiles(files: BrainFile[]): string {
  if (files.length === 0) return "";
  const fence = "~~~~";
  const parts = files.map(
    (file) =>
      `### ${file.path}${file.isTruncated ? " (truncated)" : ""}\n\n${fence}markdown\n${file.content.replaceAll(fence, "~~~")}\n${fence}\n`,
  );
  return `## Brain files named by the task (read-only)\n\n${parts.join("\n")}\n`;
}
