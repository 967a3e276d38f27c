import { DomainError } from "@grove/core";
import { ensureAgentWorktree, runShellCommand } from "@grove/core/node";
import { buildChildEnv } from "../launch/agent-env.ts";
import type { CliContext } from "./cli-context.ts";
import { shortSha } from "./format-table.ts";
import { gitProgressLines } from "./git-progress-line.ts";
import { parseFlags, repoPath, REPO_FLAGS, requirePositionals } from "./parse-flags.ts";

/** `grove worktree add`: creates (or finishes, or reuses) an agent's worktree, then runs grove.yaml's setup in a new one. */
export async function addWorktree(args: string[], ctx: CliContext): Promise<number> {
  const usage = "grove worktree add <agent> <task-id> [--base REF] [--lock-reason TEXT] [--no-setup] [--repo PATH] [--json]";
  const { values, positionals } = parseFlags(usage, args, {
    ...REPO_FLAGS,
    base: { type: "string" },
    "lock-reason": { type: "string" },
    "no-setup": { type: "boolean" },
  });
  if (values.help) {
    ctx.out(`usage: ${usage}`);
    return 0;
  }
  const [agent = "", taskId = ""] = requirePositionals(positionals, ["agent", "task-id"], usage);
  const repo = repoPath(values, ctx.cwd);
  // grove.yaml as read under the repository lock with the add: opening the repository again would cost git processes.
  const { worktree: created, config } = await ensureAgentWorktree({
    repo,
    agent,
    taskId,
    ...(values.base === undefined ? {} : { base: values.base }),
    ...(values["lock-reason"] === undefined ? {} : { lockReason: values["lock-reason"] }),
    onProgress: gitProgressLines(ctx.err),
  });
  const setupCommand = config.setup;
  const isNew = created.created || created.resumed;
  const setup =
    isNew && setupCommand !== undefined && !values["no-setup"] ? await runSetup(setupCommand, created.path, ctx) : null;
  if (values.json) ctx.out(JSON.stringify({ ...created, setup }));
  else if (isNew) {
    const lines = created.created
      ? [`Created ${created.path}`, `  branch ${created.branch} from ${shortSha(created.baseSha)}`]
      : [`Finished ${created.path}`, `  branch ${created.branch}: an earlier add was interrupted before the worktree was set up`];
    if (created.includedFiles.length > 0)
      lines.push(`  copied ${created.includedFiles.length} file(s) listed in .worktreeinclude`);
    if (setup) lines.push(`  setup finished in ${(setup.durationMs / 1000).toFixed(1)} s`);
    ctx.out(lines.join("\n"));
  } else ctx.out(`Already there: ${created.path}\n  branch ${created.branch} (nothing changed)`);
  return 0;
}

/** grove.yaml's setup command, its output streamed to stderr (stdout stays parseable with --json). */
async function runSetup(command: string, cwd: string, ctx: CliContext): Promise<{ exitCode: number | null; durationMs: number }> {
  ctx.err(`setup: ${command}`);
  const exit = await runShellCommand(command, {
    cwd,
    env: buildChildEnv(ctx.env),
    onLine: (_stream, text) => ctx.err(`setup| ${text}`),
  });
  if (exit.exitCode !== 0) {
    const how = exit.exitCode === null ? `was killed by ${exit.signal ?? "a signal"}` : `exited with ${exit.exitCode}`;
    throw new DomainError(
      "PROCESS_FAILED",
      `The setup command ${how} after ${(exit.durationMs / 1000).toFixed(1)} s. The worktree is ready at ${cwd}; fix the setup and run it there, or add with --no-setup.`,
    );
  }
  return { exitCode: exit.exitCode, durationMs: exit.durationMs };
}
