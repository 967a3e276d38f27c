import { DomainError, findingUrgency } from "@grove/core";
import { measureDiskLedger, runDoctor, type DoctorFinding } from "@grove/core/node";
import type { CliContext } from "./cli-context.ts";
import { formatDiskLedger } from "./disk-ledger-table.ts";
import { cliRepoAndKept, formatLeftovers } from "./leftover-table.ts";
import { parseFlags, repoPath, REPO_FLAGS, requirePositionals } from "./parse-flags.ts";

const USAGE = "grove doctor [--fix] [--idle-days N] [--repo PATH] [--data-dir DIR] [--json]";

/** Exit 0 when nothing is left to do, 1 when findings remain. */
export async function doctorCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parseFlags(USAGE, args, {
    ...REPO_FLAGS,
    fix: { type: "boolean" },
    "idle-days": { type: "string" },
    "data-dir": { type: "string" },
  });
  if (values.help) {
    ctx.out(
      `usage: ${USAGE}\n\nFinds prunable worktrees, stale git lock files, locked worktrees with no live agent, merged agent\nbranches, idle worktrees, processes left in deleted worktrees and removed worktrees' files left in\ngrove's trash. --fix applies the fixes that cannot lose work. Also lists the worktrees and branches of\nended runs that never landed (\`grove cleanup\` snapshots and removes them).`,
    );
    return 0;
  }
  requirePositionals(positionals, [], USAGE);
  const idleDays = values["idle-days"] === undefined ? undefined : Number(values["idle-days"]);
  if (idleDays !== undefined && !(idleDays >= 0))
    throw new DomainError("INVALID_INPUT", `--idle-days must be a number of days\nusage: ${USAGE}`);
  const runs = await cliRepoAndKept(repoPath(values, ctx.cwd), values["data-dir"], ctx);
  const [report, disk] = await Promise.all([
    runDoctor({
      repo: runs.repo,
      runs,
      fix: values.fix ?? false,
      ...(idleDays === undefined ? {} : { thresholds: { idleMs: idleDays * 86_400_000 } }),
    }),
    measureDiskLedger(runs.repo),
  ]);
  const remaining = report.findings.filter((f) => !report.fixed.includes(f));
  // A warm merge tree or a merge test still running is listed, but is nothing to do: the exit stays 0.
  const left = remaining.filter((f) => findingUrgency(f) !== "nothing to do").length + report.leftovers.length;
  if (values.json) {
    ctx.out(JSON.stringify({ ...report, disk }));
    return left === 0 ? 0 : 1;
  }
  if (left === 0 && report.fixed.length === 0 && report.failed.length === 0) {
    const kept = report.findings.map((f) => describe(f, false, false)).join("\n");
    ctx.out(`${report.repo}: no problems found.${kept ? `\n${kept}` : ""}\n\n${formatDiskLedger(disk)}`);
    return 0;
  }
  if (report.findings.length === 0 && report.leftovers.length === 0) {
    ctx.out(`${report.repo}: no problems found.\n\n${formatDiskLedger(disk)}`);
    return 0;
  }
  const lines = report.findings.map((f) => describe(f, report.fixed.includes(f), values.fix ?? false));
  for (const { finding, error } of report.failed)
    lines.push(`! could not fix ${finding.kind} (${finding.path ?? finding.branch ?? ""}): ${error}`);
  const safeLeft = remaining.filter((f) => f.isSafeToFix).length;
  if (!values.fix && safeLeft > 0) lines.push("", `Run \`grove doctor --fix\` to apply the ${safeLeft} safe fix(es).`);
  if (report.leftovers.length > 0) {
    lines.push("", `Worktrees and branches of ended runs that never landed (${report.leftovers.length}):`);
    lines.push(formatLeftovers(report.leftovers, Date.now()));
    lines.push(
      "",
      "`grove cleanup <branch>…` or `grove cleanup --older-than 7d` keeps each under refs/grove/archive/, then removes it.",
    );
  }
  lines.push("", formatDiskLedger(disk));
  ctx.out(lines.join("\n"));
  return left === 0 ? 0 : 1;
}

function describe(finding: DoctorFinding, isFixed: boolean, triedFix: boolean): string {
  const nothingToDo = findingUrgency(finding) === "nothing to do";
  const mark = isFixed ? "fixed" : nothingToDo ? "kept" : finding.isSafeToFix && !triedFix ? "fixable" : "manual";
  return `[${mark}] ${finding.kind}: ${finding.message}\n    fix: ${finding.fix}`;
}
