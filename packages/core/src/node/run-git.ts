import { setTimeout as sleep } from "node:timers/promises";
import { DomainError } from "../errors/domain-error.ts";
import { spawnGit, type GitProcessOptions, type GitProcessResult } from "./git-process.ts";

export type { GitProgress } from "./git-process.ts";

export type GitResult = { stdout: string; stderr: string; exitCode: number };

export type RunGitOptions = GitProcessOptions & {
  okExitCodes?: number[];
  /** Asked before a retry on lock contention: false once git did something that must not be done twice. */
  mayRetry?: () => boolean;
  /**
   * Lost with the process spawner, it is run again as a git that only reads is: for one whose second run puts things
   * as the first would have (a forced checkout of a tree nobody else works in).
   */
  isRepeatable?: boolean;
};

const GIT = "git";
const LOCK_RETRY_BUDGET_MS = 10_000;
const STDERR_TAIL_CHARS = 2_000;
const TRACE2_LINE_START = '{"event":"';

/**
 * Runs git with an argument array (never a shell), through git-process.ts. Exit codes outside
 * okExitCodes (default [0]) throw GIT_FAILED carrying the command, cwd, exit code and the tail of stderr; so
 * does a git killed by idleTimeoutMs or the abort signal. Arguments simple-git's check finds unsafe (option injection
 * such as `--upload-pack=…`) throw INVALID_INPUT before git starts. When another git process holds one of
 * git's own lock files, the command is retried with jittered backoff for up to ~10 s.
 *
 * Callers parse git's machine formats themselves (`status --porcelain=v1 -z`, `for-each-ref` with NUL-separated
 * fields, `worktree list --porcelain -z`).
 */
export async function runGit(args: string[], opts: RunGitOptions): Promise<GitResult> {
  const okExitCodes = opts.okExitCodes ?? [0];
  const started = Date.now();
  let isRunAgain = false;
  for (let attempt = 0; ; attempt++) {
    const result = await spawnGit(args, opts);
    // Lost with the process spawner: a git that only reads is run again (once; the spawner is gone, so it runs
    // elsewhere). One that may have changed something is reported, never repeated, unless the caller says it may be.
    if (result.kind === "lost" && !isRunAgain && (opts.isRepeatable === true || isReadOnly(args))) {
      isRunAgain = true;
      continue;
    }
    if (result.kind !== "exited") throw notRun(args, opts, result);
    const stderr = withoutTrace2(result.stderr.toString("utf8"));
    const delay = backoffMs(attempt);
    const mayRetry = Date.now() - started + delay <= LOCK_RETRY_BUDGET_MS && (opts.mayRetry?.() ?? true);
    // Checked before okExitCodes: a caller accepting exit 128 as "no" must not take contention for an answer.
    if (result.exitCode !== 0 && isLockContention(stderr) && mayRetry) {
      await sleep(delay);
      continue;
    }
    if (okExitCodes.includes(result.exitCode) && result.signal === null) {
      return { stdout: result.stdout.toString("utf8"), stderr, exitCode: result.exitCode };
    }
    const reason = mainReason(stderr) || (result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`);
    throw gitFailed(args, opts, reason, { exitCode: result.exitCode, signal: result.signal, stderr });
  }
}

/**
 * git commands that only read, or only add objects, which is harmless twice (merge-tree; commit-tree, whose merge or
 * deposit commit a lost run left unreferenced, and the ref update after it is what lands).
 */
const READ_ONLY = new Set([
  "cat-file",
  "commit-tree",
  "diff",
  "for-each-ref",
  "log",
  "ls-files",
  "ls-tree",
  "merge-base",
  "merge-tree",
  "rev-list",
  "rev-parse",
  "show",
  "show-ref",
]);

function isReadOnly(args: string[]): boolean {
  const [command, sub] = args;
  return READ_ONLY.has(command ?? "") || (command === "worktree" && sub === "list");
}

/**
 * True when stderr says another git process is mid-way through a change, i.e. trying again later can succeed:
 * it holds one of git's lock files, or it is creating a linked worktree whose admin files
 * (`.git/worktrees/<name>/commondir`, `gitdir`) exist but are still empty.
 */
export function isLockContention(stderr: string): boolean {
  if (/failed to read \S*worktrees\/[^/\s]+\/(commondir|gitdir)\b/.test(stderr)) return true;
  if (/Unable to create '[^']*\.lock': File exists/.test(stderr)) return true;
  if (/could not lock config file/.test(stderr)) return true;
  // "cannot lock ref" also reports a failed compare-and-swap or a name clash, which no retry can fix.
  return /cannot lock ref/.test(stderr) && !/but expected|exists; cannot create|reference already exists/.test(stderr);
}

/** Without the lines of git's trace2 event format (a caller that set GIT_TRACE2_EVENT=2 watched them): what git said. */
function withoutTrace2(stderr: string): string {
  if (!stderr.includes(TRACE2_LINE_START)) return stderr;
  return stderr
    .split("\n")
    .filter((line) => !line.startsWith(TRACE2_LINE_START))
    .join("\n");
}

function notRun(args: string[], opts: RunGitOptions, result: Exclude<GitProcessResult, { kind: "exited" }>): DomainError {
  const none = { exitCode: null, signal: null, stderr: "" };
  switch (result.kind) {
    case "refused":
      return new DomainError("INVALID_INPUT", `git ${args.slice(0, 3).join(" ")} refused in ${opts.cwd}: ${result.reason}`, {
        process: processFailure(args, opts, none),
      });
    case "unstartable":
      return new DomainError("GIT_FAILED", `could not start git in ${opts.cwd}: ${result.reason}`, {
        process: processFailure(args, opts, none),
      });
    case "lost": {
      const error = new DomainError("GIT_FAILED", `lost track of git in ${opts.cwd}: ${result.reason}`, {
        process: processFailure(args, opts, none),
      });
      lostGitErrors.add(error);
      return error;
    }
    case "killed": {
      // git-process.ts stops git with SIGINT, on the abort signal or after idleTimeoutMs without output.
      const why = result.why === "timeout" ? `no output for ${opts.idleTimeoutMs} ms` : "aborted";
      return gitFailed(args, opts, `killed by SIGINT (${why})`, {
        exitCode: null,
        signal: "SIGINT",
        stderr: result.stderr.toString("utf8"),
      });
    }
  }
}

const lostGitErrors = new WeakSet<object>();

/**
 * True for the GIT_FAILED of a git lost with the process spawner that ran it: unlike a git that failed, it may have
 * done part or all of its work, so a caller must not take it for "git refused and changed nothing".
 */
export function isLostGit(error: unknown): boolean {
  return typeof error === "object" && error !== null && lostGitErrors.has(error);
}

type Ended = { exitCode: number | null; signal: string | null; stderr: string };

function gitFailed(args: string[], opts: RunGitOptions, reason: string, ended: Ended): DomainError {
  return new DomainError("GIT_FAILED", `git ${args.slice(0, 3).join(" ")} failed in ${opts.cwd}: ${reason}`, {
    process: processFailure(args, opts, ended),
  });
}

function processFailure(args: string[], opts: RunGitOptions, ended: Ended) {
  return {
    command: [GIT, ...args],
    cwd: opts.cwd,
    exitCode: ended.exitCode,
    signal: ended.signal,
    stderrTail: ended.stderr.slice(-STDERR_TAIL_CHARS),
  };
}

function backoffMs(attempt: number): number {
  const base = Math.min(1_000, 40 * 2 ** attempt);
  return Math.round(base / 2 + Math.random() * base);
}

/** git's first "fatal:"/"error:" line names the cause; later lines are often consequences. */
function mainReason(text: string): string {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  return (lines.find((line) => /^(fatal|error):/.test(line)) ?? lines.at(-1) ?? "").trim();
}
