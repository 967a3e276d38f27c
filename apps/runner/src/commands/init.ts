import { DomainError } from "@grove/core";
import { initBareLayout } from "@grove/core/node";
import type { CliContext } from "./cli-context.ts";
import { gitProgressLines } from "./git-progress-line.ts";
import { parseFlags } from "./parse-flags.ts";

const USAGE = "grove init --bare <source> [<target>] [--json]";

/** Sets up the seed's bare-repository layout, where the integration branch and every agent get peer worktrees. */
export async function initCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, args, { bare: { type: "boolean" }, json: { type: "boolean" } });
  if (values.help) {
    ctx.out(
      `usage: ${USAGE}\n\nClones <source> into <target> (default <name>.git) as a bare repository and adds the integration\nbranch's worktree beside it (<name>-<branch>). Run grove from that worktree or with --repo <target>.`,
    );
    return 0;
  }
  const [source, target, extra] = positionals;
  if (!values.bare)
    throw new DomainError(
      "INVALID_INPUT",
      `only the bare layout needs initializing (a normal checkout works as is): pass --bare\nusage: ${USAGE}`,
    );
  if (source === undefined || extra !== undefined)
    throw new DomainError("INVALID_INPUT", `expected <source> [<target>]\nusage: ${USAGE}`);
  const layout = await initBareLayout({
    source,
    cwd: ctx.cwd,
    onProgress: gitProgressLines(ctx.err),
    ...(target === undefined ? {} : { target }),
  });
  ctx.out(
    values.json
      ? JSON.stringify(layout)
      : `Bare repository ${layout.repo}\n${layout.integration} checked out in ${layout.integrationWorktree}`,
  );
  return 0;
}
