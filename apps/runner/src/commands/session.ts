import type { CliContext } from "./cli-context.ts";

const USAGE = `grove session run --plan plan.yaml [--repo PATH]

  Starts one agent per task of the plan, each in its own worktree.`;

export function sessionCommand(args: string[], ctx: CliContext): Promise<number> {
  if (args.length === 0 || args.includes("--help") || args.includes("-h")) {
    ctx.out(`usage: ${USAGE}`);
    return Promise.resolve(0);
  }
  ctx.err(
    "grove: running a plan from the command line arrives with the agent runtime.\n" +
      "hint: start sessions from the dashboard with `grove runner` connected, or create worktrees with `grove worktree add`.",
  );
  return Promise.resolve(2);
}
