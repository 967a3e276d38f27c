import { describeRunState, DomainError, parseYamlDocument, type LogStream } from "@grove/core";
import { constants } from "node:os";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { useProcessSpawner } from "@grove/core/node";
import { runHeadlessSession, type HeadlessTask } from "../headless/headless-session.ts";
import { PlanSchema } from "../headless/plan-file.ts";
import {
  describeBudget,
  describeMerge,
  describeUsage,
  SESSION_EXIT,
  sessionUsage,
  sessionUsageByCli,
  sessionVerdict,
  shellWord,
  taskVerdict,
} from "./session-summary.ts";
import type { CliContext } from "./cli-context.ts";
import { parseFlags, repoPath } from "./parse-flags.ts";
import { runnerDataDir } from "./runner-data-dir.ts";
import { withoutEscapes } from "./terminal-color.ts";

const USAGE = `grove session run --plan plan.yaml [--repo PATH] [--approve auto|manual] [--data-dir DIR] [--max-runs N] [--json]

  Runs a whole session without the dashboard: a worktree and an agent per task, in parallel, with
  prefixed live output; then each run's tests. With --approve auto, every green run goes through the
  merge queue (merged-tree test, brain deposit, cleanup), approved on green tests alone and recorded so;
  an untested run (no \`test\` in grove.yaml) is never approved by a machine. Every other succeeded run
  waits as a merge request: grove approve | grove reject. Every event goes to the session's audit trail
  (<data-dir>/audit/<session>.jsonl, hash-chained: grove audit verify checks it).
  Exit, the first that applies: 1: a task failed (run, merge, or merged-tree test) or was stopped, or an
  event could not be written to the audit trail. 4: an agent needed input. 3: some tasks await approval. 5: the only tasks
  that did not land changed nothing. 0: every task landed. 2: the command itself was refused.
  Ctrl-C stops the runs, keeping their work.

  Every task's CLI must be installed (grove agents check), or nothing is created.

  plan.yaml: { session?, integration?, budget?: { usd?, tokens? }, tasks: [{ agent, task, profile?, prompt? }] }
  session: without it, a session of its own (session-YYYYMMDD-HHMM; -2, -3… for more in the same minute).
  Naming an existing session continues it: the new tasks join it, its budget and audit trail go on. Refused,
  with nothing changed, while another grove process runs that session, or for a task that already ran in it
  (its run id <session>-<agent>-<task> has records): grove never writes over what happened.
  budget: the session's own (else grove.yaml's): once its runs spent either limit, as their CLIs report it
  turn by turn, grove stops the session's running and queued agents (work kept, as a cancel); a session
  id used again counts what its earlier runs spent. codex reports no cost: give it a token budget.`;

export async function sessionCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "--help" || sub === "-h") {
    ctx.out(`usage: ${USAGE}`);
    return 0;
  }
  if (sub !== "run") throw new DomainError("INVALID_INPUT", `unknown session command "${sub}"\nusage: ${USAGE}`);
  const { values, positionals } = parseFlags(USAGE, rest, {
    plan: { type: "string" },
    repo: { type: "string" },
    approve: { type: "string" },
    "data-dir": { type: "string" },
    "max-runs": { type: "string" },
    json: { type: "boolean" },
  });
  if (values.help) {
    ctx.out(`usage: ${USAGE}`);
    return 0;
  }
  if (positionals.length > 0)
    throw new DomainError("INVALID_INPUT", `unexpected argument "${positionals[0] ?? ""}"\nusage: ${USAGE}`);
  if (!values.plan) throw new DomainError("INVALID_INPUT", `--plan is required\nusage: ${USAGE}`);
  const approve = values.approve ?? "manual";
  if (approve !== "auto" && approve !== "manual")
    throw new DomainError("INVALID_INPUT", `--approve is auto or manual, not "${approve}"`);
  const maxRuns = values["max-runs"] === undefined ? undefined : Number(values["max-runs"]);
  if (maxRuns !== undefined && (!Number.isInteger(maxRuns) || maxRuns < 1))
    throw new DomainError("INVALID_INPUT", "--max-runs takes a whole number ≥ 1");

  const planPath = resolve(ctx.cwd, values.plan);
  const text = await readFile(planPath, "utf8").catch((error: unknown) => {
    throw new DomainError("NOT_FOUND", `cannot read the plan ${planPath}`, {
      cause: error,
      hint: "check the --plan path; a relative one is read from the folder you ran grove in.",
    });
  });
  const plan = parseYamlDocument(PlanSchema, text, planPath);
  const repo = repoPath(values, ctx.cwd);
  const dataDir = runnerDataDir(values["data-dir"], ctx, repo);
  const width = Math.max(...plan.tasks.map((t) => `${t.agent}/${t.task}`.length));
  const tag = (t: HeadlessTask) => `${t.agent}/${t.taskId}`.padEnd(width);
  const json = values.json === true;
  // The log rows keep their colour (the dashboard shows it); a pipe or a file gets plain text.
  const shown = ctx.outColor ? (line: string) => line : withoutEscapes;

  const abort = new AbortController();
  void ctx
    .waitForStop(() => "waiting for the runs to end; worktrees and branches are kept")
    .then((signal) => {
      ctx.err(`grove: ${signal}: stopping the runs; worktrees and branches are kept`);
      abort.abort(signal);
    });
  // A session starts git hundreds of times a minute while agents work: forked from a small process instead.
  useProcessSpawner();
  const summary = await runHeadlessSession({
    repo,
    plan,
    dataDir,
    approve,
    maxConcurrentRuns: maxRuns,
    signal: abort.signal,
    // What the runner itself has to say (a merge a killed grove left half done, settled at start): stderr, also with --json.
    log: (line) => ctx.err(`grove: ${line}`),
    onLine: (task, stream: LogStream, line) => {
      if (!json) ctx.out(`${tag(task)} │ ${stream === "stdout" ? "" : `[${stream}] `}${shown(line)}`);
    },
    onState: (task, detail) => {
      // The detail of a no_changes / needs_input end begins with its own label ("no changes: …"): said once.
      const said = detail?.startsWith(`${describeRunState(task.state)}: `) ? detail : detail && `${task.state}: ${detail}`;
      if (!json) ctx.err(`▸ ${tag(task)} ${said ?? task.state}`);
    },
    onMerge: (task) => {
      if (!json && task.merge) ctx.err(`▸ ${tag(task)} merge: ${describeMerge(task.merge)}`);
    },
  });

  const verdict = sessionVerdict(summary);
  // A copied `grove approve` must find the request: the data dir goes along when it is not the default.
  const where = values["data-dir"] ? ` --data-dir ${shellWord(dataDir)}` : "";
  if (json) {
    ctx.out(
      JSON.stringify(
        {
          ...summary,
          usage: sessionUsage(summary),
          usageByCli: sessionUsageByCli(summary),
          verdict: { ...verdict.counts, tasks: Object.fromEntries(summary.tasks.map((t) => [t.runId, taskVerdict(t, where)])) },
        },
        null,
        2,
      ),
    );
  } else {
    ctx.out(`\nsession ${summary.sessionId}: ${verdict.headline}`);
    for (const task of summary.tasks) {
      const tests = task.report?.test.status ?? "not run";
      const { kind, detail } = taskVerdict(task, where);
      ctx.out(`  ${tag(task)}  ${kind.padEnd(11)} run ${task.state.padEnd(11)} tests ${tests.padEnd(8)} ${detail}`);
    }
    for (const line of describeUsage(sessionUsageByCli(summary))) ctx.out(`  ${line}`);
    const budget = describeBudget(summary);
    if (budget) ctx.out(`  ${budget}`);
    if (verdict.counts.waiting > 0) {
      ctx.out(`\napprove or reject what waits: grove approve <run-id>${where}, or grove reject <run-id> --comment "…"${where}`);
    }
    ctx.out(`audit trail: ${summary.audit.file} (grove audit verify checks it)`);
  }
  // An event that happened but is missing from the audit trail fails the session, whatever landed.
  if (summary.audit.error !== null) {
    ctx.err(`grove: the audit trail ${summary.audit.file} is missing events: ${summary.audit.error}`);
    return SESSION_EXIT.failed;
  }
  const wasStopped = abort.signal.aborted && verdict.counts.failed === 0 && verdict.exitCode !== SESSION_EXIT.landed;
  return wasStopped ? stoppedExitCode(abort.signal.reason) : verdict.exitCode;
}

/**
 * A session a signal stopped short (nothing failed on its own, not everything landed) exits as a shell expects of
 * a stopped command: 128 + the signal's number, 130 for Ctrl-C.
 */
function stoppedExitCode(reason: unknown): number {
  return 128 + (reason === "SIGTERM" ? constants.signals.SIGTERM : constants.signals.SIGINT);
}
