import { validateNamePart } from "../naming/agent-branch.ts";

/**
 * Fills the `worktrees` template of grove.yaml ({repo}, {agent}, {task}). The result is relative to the
 * repository folder unless the template is absolute; joining it is left to the caller's path module.
 */
export function fillWorktreeTemplate(template: string, repoName: string, agent: string, taskId: string): string {
  validateNamePart("agent", agent);
  validateNamePart("task id", taskId);
  return template.replaceAll("{repo}", repoName).replaceAll("{agent}", agent).replaceAll("{task}", taskId);
}

/** The folder name a repository is known by: `prover.git` (bare layout) is `prover`. */
export function repoDisplayName(folderName: string): string {
  return folderName.replace(/\.git$/, "") || folderName;
}
