import { parseAgentBranch } from "../naming/agent-branch.ts";

export type WorktreeInfo = {
  path: string;
  head: string | null;
  /** Short name, e.g. agent/demo/t1. */
  branch: string | null;
  bare: boolean;
  detached: boolean;
  /** Lock reason; "" when locked without a reason, null when not locked. */
  locked: string | null;
  /** Why git considers the entry prunable (its folder is gone), null otherwise. */
  prunable: string | null;
  agent: string | null;
  taskId: string | null;
};

/** Parses `git worktree list --porcelain -z`: NUL-terminated lines, an empty line between records. */
export function parseWorktreeList(output: string): WorktreeInfo[] {
  const worktrees: WorktreeInfo[] = [];
  let current: WorktreeInfo | null = null;
  for (const line of output.split("\0")) {
    if (line === "") {
      if (current) worktrees.push(current);
      current = null;
      continue;
    }
    const space = line.indexOf(" ");
    const key = space === -1 ? line : line.slice(0, space);
    const value = space === -1 ? null : line.slice(space + 1);
    if (key === "worktree") {
      if (current) worktrees.push(current);
      current = emptyInfo(value ?? "");
      continue;
    }
    if (!current) continue;
    applyField(current, key, value);
  }
  if (current) worktrees.push(current);
  return worktrees;
}

function applyField(info: WorktreeInfo, key: string, value: string | null): void {
  switch (key) {
    case "HEAD":
      info.head = value;
      break;
    case "branch": {
      const branch = value?.replace(/^refs\/heads\//, "") ?? null;
      info.branch = branch;
      const parsed = branch === null ? null : parseAgentBranch(branch);
      info.agent = parsed?.agent ?? null;
      info.taskId = parsed?.taskId ?? null;
      break;
    }
    case "bare":
      info.bare = true;
      break;
    case "detached":
      info.detached = true;
      break;
    case "locked":
      info.locked = value ?? "";
      break;
    case "prunable":
      info.prunable = value ?? "";
      break;
    default:
      break;
  }
}

function emptyInfo(path: string): WorktreeInfo {
  return {
    path,
    head: null,
    branch: null,
    bare: false,
    detached: false,
    locked: null,
    prunable: null,
    agent: null,
    taskId: null,
  };
}
