import { agentsCommand } from "./commands/agents.ts";
import { approveCommand, rejectCommand } from "./commands/approve.ts";
import { archiveCommand } from "./commands/archive.ts";
import { auditCommand } from "./commands/audit.ts";
import type { CliContext, Command } from "./commands/cli-context.ts";
import { cleanupCommand } from "./commands/cleanup.ts";
import { doctorCommand } from "./commands/doctor.ts";
import { hoistGlobalOptions } from "./commands/global-options.ts";
import { initCommand } from "./commands/init.ts";
import { pruneCommand } from "./commands/prune.ts";
import { reportCrash } from "./commands/report-crash.ts";
import { runnerCommand } from "./commands/runner.ts";
import { sessionCommand } from "./commands/session.ts";
import { worktreeCommand } from "./commands/worktree.ts";
import { waitForStopSignal } from "./commands/stop-signal.ts";
import { wantsColor } from "./commands/terminal-color.ts";

const COMMANDS: Record<string, { summary: string; run: Command }> = {
  worktree: { summary: "add | list | remove | lock | unlock | move agent worktrees", run: worktreeCommand },
  doctor: { summary: "find (and --fix) what worktree work left behind", run: doctorCommand },
  session: { summary: "run a plan of agent tasks", run: sessionCommand },
  approve: { summary: "list, or approve and land, merge requests a headless session left waiting", run: approveCommand },
  reject: { summary: "turn down a waiting merge request (the branch is kept)", run: rejectCommand },
  runner: { summary: "connect this machine to the grove hub and run agents", run: runnerCommand },
  prune: { summary: "forget worktrees whose folder was deleted", run: pruneCommand },
  cleanup: {
    summary: "remove merged agent worktrees; with names or --older-than, snapshot and remove ended runs' leftovers",
    run: cleanupCommand,
  },
  archive: { summary: "list | restore work kept by forced removals", run: archiveCommand },
  audit: { summary: "verify the audit ledger's hash chain (an export, or the hub's)", run: auditCommand },
  init: { summary: "--bare <source>: the bare-repository layout, every worktree a peer", run: initCommand },
  agents: { summary: "check: each agent profile's CLI, its version, and whether grove was tested with it", run: agentsCommand },
};

function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return `usage: grove <command> [options]\n\ncommands:\n${lines.join("\n")}\n\nRun \`grove <command> --help\` for a command's options; --repo, --data-dir and --json may also come before the command. GROVE_DEBUG=1 shows stack traces.`;
}

async function main(args: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = hoistGlobalOptions(args);
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    ctx.out(helpText());
    return name === undefined ? 2 : 0;
  }
  // Own entries only: `grove constructor` names no command.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    ctx.err(`grove: unknown command "${name}"\n\n${helpText()}`);
    return 2;
  }
  return command.run(rest, ctx);
}

const ctx: CliContext = {
  // `pnpm grove …` runs in the workspace root; INIT_CWD is where the user typed it.
  cwd: (process.env.npm_lifecycle_event === "grove" ? process.env.INIT_CWD : undefined) ?? process.cwd(),
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  outColor: wantsColor(process.stdout, process.env),
  err: (text) => process.stderr.write(`${text}\n`),
  waitForStop: (doing) => waitForStopSignal((text) => process.stderr.write(`${text}\n`), doing),
};

try {
  process.exitCode = await main(process.argv.slice(2), ctx);
} catch (error) {
  process.exitCode = reportCrash(error, ctx, process.argv.slice(2));
}
