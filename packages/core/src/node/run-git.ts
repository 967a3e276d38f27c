import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { DomainError } from "../errors/domain-error.ts";
import { isGroveSecret } from "./grove-secrets.ts";

export type GitResult = { stdout: string; stderr: string; exitCode: number };

export type RunGitOptions = {
  cwd: string;
  env?: Record<string, string>;
  okExitCodes?: number[];
  input?: string;
};

const GIT = "git";
const LOCK_RETRY_BUDGET_MS = 10_000;
const STDERR_TAIL_CHARS = 2_000;

// Inherited from a git hook or a parent git command, these would point our git at another repository or index.
const INHERITED_GIT_VARS = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX", "GIT_OBJECT_DIRECTORY"];

/**
 * Runs git with an argument array (never a shell). Exit codes outside okExitCodes (default [0]) throw
 * GIT_FAILED carrying the command, cwd, exit code and the tail of stderr. When another git process holds
 * one of git's own lock files, the command is retried with jittered backoff for up to ~10 s.
 */
export async function runGit(args: string[], opts: RunGitOptions): Promise<GitResult> {
  const okExitCodes = opts.okExitCodes ?? [0];
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    const result = await spawnGit(args, opts);
    const delay = backoffMs(attempt);
    // Checked before okExitCodes: a caller accepting exit 128 as "no" must not take contention for an answer.
    if (result.exitCode !== 0 && isLockContention(result.stderr) && Date.now() - started + delay <= LOCK_RETRY_BUDGET_MS) {
      await sleep(delay);
      continue;
    }
    if (okExitCodes.includes(result.exitCode) && result.signal === null) {
      return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode };
    }
    const stderrTail = result.stderr.slice(-STDERR_TAIL_CHARS);
    const reason = mainReason(result.stderr) || (result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`);
    throw new DomainError("GIT_FAILED", `git ${args.slice(0, 3).join(" ")} failed in ${opts.cwd}: ${reason}`, {
      process: { command: [GIT, ...args], cwd: opts.cwd, exitCode: result.exitCode, signal: result.signal, stderrTail },
    });
  }
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

type RawResult = { stdout: string; stderr: string; exitCode: number; signal: string | null };

function spawnGit(args: string[], opts: RunGitOptions): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(GIT, args, { cwd: opts.cwd, env: gitEnv(opts.env), stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => {
      reject(
        new DomainError("GIT_FAILED", `could not start git in ${opts.cwd}: ${error.message}`, {
          cause: error,
          process: { command: [GIT, ...args], cwd: opts.cwd, exitCode: null, signal: null, stderrTail: "" },
        }),
      );
    });
    child.on("close", (code, signal) => {
      resolve({
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        exitCode: code ?? -1,
        signal,
      });
    });
    // git may exit before reading stdin (e.g. a bad argument); that EPIPE is not the error to report.
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
  });
}

function gitEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_GIT_VARS) delete env[name];
  // The repository's hooks run with git's environment.
  for (const name of Object.keys(env)) if (isGroveSecret(name)) delete env[name];
  // GIT_OPTIONAL_LOCKS=0 keeps read-only commands (status) from taking index.lock in agents' worktrees.
  return { ...env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", GIT_OPTIONAL_LOCKS: "0", ...extra };
}

function backoffMs(attempt: number): number {
  const base = Math.min(1_000, 40 * 2 ** attempt);
  return Math.round(base / 2 + Math.random() * base);
}

/** git's first "fatal:"/"error:" line names the cause; later lines are often consequences. */
function mainReason(text: string): string {
  const lines = text.split("\n").map((line) => line.trim()).filter((line) => line !== "");
  return (lines.find((line) => /^(fatal|error):/.test(line)) ?? lines.at(-1) ?? "").trim();
}
