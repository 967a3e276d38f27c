import { DomainError, type AgentCheck } from "@grove/core";
import { openRepo } from "@grove/core/node";
import { checkAgents } from "../launch/check-agents.ts";
import type { CliContext } from "./cli-context.ts";
import { formatTable } from "./format-table.ts";
import { parseFlags, repoPath, REPO_FLAGS } from "./parse-flags.ts";

const USAGE = "grove agents check [PROFILE…] [--repo PATH] [--json]";
const HELP = `usage: ${USAGE}

Lists each agent profile (built-in and grove.yaml's): whether its CLI is on the PATH an agent gets, the
version it reports, and whether that is the version grove's tests run. With profile names, only those,
and the exit code is 1 when one of them cannot be started (not installed, or no answer to --version).`;

/** Profiles whose agent could not start: the ones a script asking "is claude ready?" must hear about. */
const NOT_READY = new Set<AgentCheck["verdict"]>(["missing", "no-version"]);

export async function agentsCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, args, REPO_FLAGS);
  const [sub, ...names] = positionals;
  if (values.help || sub === undefined) {
    ctx.out(HELP);
    return values.help ? 0 : 2;
  }
  if (sub !== "check") throw new DomainError("INVALID_INPUT", `unknown subcommand "${sub}"\nusage: ${USAGE}`);
  const repo = await openRepo(repoPath(values, ctx.cwd));
  const all = await checkAgents(repo.config, { env: ctx.env, cwd: repo.repo });
  const unknown = names.filter((name) => !all.some((check) => check.profile === name));
  if (unknown.length > 0) {
    throw new DomainError(
      "INVALID_INPUT",
      `no agent profile named ${unknown.map((n) => `"${n}"`).join(", ")}; profiles: ${all.map((c) => c.profile).join(", ")}`,
    );
  }
  const checks = names.length === 0 ? all : all.filter((check) => names.includes(check.profile));
  if (values.json) ctx.out(JSON.stringify({ checks }));
  else ctx.out(formatChecks(checks));
  return names.length > 0 && checks.some((check) => NOT_READY.has(check.verdict)) ? 1 : 0;
}

const VERDICT_WORDS: Record<AgentCheck["verdict"], string> = {
  tested: "yes",
  "other-version": "no (other version)",
  untested: "no (untested)",
  missing: "-",
  "no-version": "?",
  bundled: "yes (bundled)",
};

function formatChecks(checks: AgentCheck[]): string {
  const rows = checks.map((c) => [
    c.profile,
    c.source,
    c.path ?? "not installed",
    c.version ?? "-",
    VERDICT_WORDS[c.verdict],
    c.note,
  ]);
  return formatTable([["PROFILE", "FROM", "CLI", "VERSION", "TESTED", "NOTE"], ...rows]);
}
