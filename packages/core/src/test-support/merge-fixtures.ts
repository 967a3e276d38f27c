import { access, mkdtemp, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createAgentWorktree } from "../node/create-agent-worktree.ts";
import type { TempRepo } from "./temp-repo.ts";

/**
 * A test command with a semantic budget: every parts/*.json holds a value and their sum must stay
 * at most 10. Two branches adding 6 each are green alone and red together, without a textual conflict.
 */
export const BUDGET_FILES: Record<string, string> = {
  "check.mjs": [
    'import { readdirSync, readFileSync } from "node:fs";',
    'const total = readdirSync("parts").reduce((n, f) => n + JSON.parse(readFileSync(`parts/${f}`, "utf8")).value, 0);',
    "if (total > 10) { console.error(`budget exceeded: ${total} > 10`); process.exit(1); }",
    "console.log(`budget ok: ${total}`);",
  ].join("\n"),
  "parts/base.json": '{ "value": 0 }\n',
};
export const BUDGET_TEST = `"${process.execPath}" check.mjs`;

/** A test command that waits until the file named by $GATE exists, then passes: lets a test act mid-merge. */
export const GATED_TEST = `"${process.execPath}" -e "const fs=require('fs');const t=setInterval(()=>{if(fs.existsSync(process.env.GATE)){clearInterval(t)}},20)"`;

export async function makeGate(root: string): Promise<{ path: string; open: () => Promise<void> }> {
  const path = join(await realpath(await mkdtemp(join(root, "gate-"))), "go");
  return { path, open: () => writeFile(path, "go") };
}

export async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Creates the agent's worktree, commits `files` there, returns the new head and the worktree path. */
export async function agentCommit(
  repo: TempRepo,
  agent: string,
  taskId: string,
  files: Record<string, string>,
  message = `${agent} work`,
) {
  const { path } = await createAgentWorktree({ repo: repo.dir, agent, taskId });
  await repo.write(files, { cwd: path });
  await repo.git(["add", "-A"], { cwd: path });
  await repo.git(["commit", "-q", "-m", message], { cwd: path });
  return { path, head: await repo.git(["rev-parse", "HEAD"], { cwd: path }) };
}
