import { stat } from "node:fs/promises";
import { vulnerabilityCheck } from "@simple-git/argv-parser";
import { isGroveSecret } from "./grove-secrets.ts";
import { spawnProcess, type SpawnEnd, type SpawnRequest } from "./process-spawner.ts";

/** A progress line git printed (`Receiving objects:  45% (450/1000)`). */
export type GitProgress = { method: string; stage: string; progress: number; processed: number; total: number };

export type GitProcessOptions = {
  cwd: string;
  env?: Record<string, string>;
  input?: string;
  /** Kills git (SIGINT) once it has printed nothing for this long. */
  idleTimeoutMs?: number;
  /** Kills git (SIGINT) when aborted; an already aborted signal starts no git at all. */
  signal?: AbortSignal;
  /** Progress of clone/fetch/checkout; the caller puts `--progress` in args (before any `--`). */
  onProgress?: (progress: GitProgress) => void;
  /** Each chunk git writes on stderr, as it comes (run-git.ts still gets the whole of it at the end). */
  onStderr?: (chunk: Buffer) => void;
};

/**
 * How one git process ended: it ran (exit code or signal), was refused before it started, was killed by us, could
 * not start, or was lost with the process spawner that ran it (it may have done part or all of its work).
 */
export type GitProcessResult =
  | { kind: "exited"; stdout: Buffer; stderr: Buffer; exitCode: number; signal: string | null }
  | { kind: "refused"; reason: string }
  | { kind: "killed"; why: "timeout" | "abort"; stderr: Buffer }
  | { kind: "unstartable"; reason: string }
  | { kind: "lost"; reason: string };

// Inherited from a git hook or a parent git command, these would point our git at another repository or index.
const INHERITED_GIT_VARS = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX", "GIT_OBJECT_DIRECTORY"];

const NO_INPUT = Buffer.alloc(0);

/**
 * One git process with grove's scrubbed environment, started through spawnProcess (process-spawner.ts). Option
 * injection in argv (`--upload-pack=…`, `-c protocol.ext.allow=…`, `-c core.sshCommand=…`) is refused before git
 * starts, by simple-git's own check (@simple-git/argv-parser), as simple-git did when it ran git here; so is an
 * abbreviated long option (GIT_TEST_DISALLOW_ABBREVIATED_OPTIONS), which git would otherwise complete into one.
 * Nothing here retries or throws for git's own failures: run-git.ts decides what an exit code means.
 */
export async function spawnGit(args: string[], opts: GitProcessOptions): Promise<GitProcessResult> {
  const env = gitEnv(opts.env);
  const refusal = unsafeArgument(args, env);
  if (refusal !== undefined) return { kind: "refused", reason: refusal };
  if (opts.signal?.aborted) return { kind: "killed", why: "abort", stderr: NO_INPUT };
  const input = opts.input === undefined ? NO_INPUT : Buffer.from(opts.input);
  const ended = await new Promise<GitRun>((resolve) => runGitProcess({ args, cwd: opts.cwd, env, input }, opts, resolve));
  return result(ended, args, opts);
}

type GitRun = { stdout: Buffer[]; stderr: Buffer[]; end: SpawnEnd; killedFor: "timeout" | "abort" | null };

/** Runs git to its end, killing it (SIGINT, as git's own Ctrl-C) after idleTimeoutMs without output or on abort. */
function runGitProcess(request: Omit<SpawnRequest, "file">, opts: GitProcessOptions, resolve: (run: GitRun) => void): void {
  const run: GitRun = { stdout: [], stderr: [], end: { kind: "lost", reason: "" }, killedFor: null };
  const progress = opts.onProgress === undefined ? undefined : progressReader(request.args[0] ?? "", opts.onProgress);
  let idleTimer: NodeJS.Timeout | undefined;
  let isEnded = false;
  const kill = (why: "timeout" | "abort") => {
    if (isEnded || run.killedFor !== null) return;
    run.killedFor = why;
    spawned.kill("SIGINT");
  };
  const onIdle = () => kill("timeout");
  const onAbort = () => kill("abort");
  const touched = () => {
    if (isEnded || opts.idleTimeoutMs === undefined) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(onIdle, opts.idleTimeoutMs);
  };
  const spawned = spawnProcess(
    { file: GIT, ...request },
    {
      onStdout: (chunk) => {
        run.stdout.push(chunk);
        touched();
      },
      onStderr: (chunk) => {
        run.stderr.push(chunk);
        touched();
        opts.onStderr?.(chunk);
        progress?.read(chunk);
      },
      onEnd: (end) => {
        isEnded = true;
        clearTimeout(idleTimer);
        opts.signal?.removeEventListener("abort", onAbort);
        run.end = end;
        if (end.kind === "closed" && end.code === 0) progress?.complete();
        resolve(run);
      },
    },
  );
  // Not when git could not even start (spawnProcess may say so before it returns): nothing is left to stop.
  if (!isEnded) opts.signal?.addEventListener("abort", onAbort, { once: true });
  touched();
}

async function result(run: GitRun, args: string[], opts: GitProcessOptions): Promise<GitProcessResult> {
  const stderr = Buffer.concat(run.stderr);
  if (run.killedFor !== null && run.end.kind === "closed") return { kind: "killed", why: run.killedFor, stderr };
  switch (run.end.kind) {
    case "closed":
      return {
        kind: "exited",
        stdout: Buffer.concat(run.stdout),
        stderr,
        exitCode: run.end.code ?? -1,
        signal: run.end.code === null ? (run.end.signal ?? "unknown signal") : null,
      };
    case "unstartable": {
      // spawn names the program for a missing folder too ("spawn git ENOENT"): say which one is missing.
      const isFolder = await stat(opts.cwd).then(
        (s) => s.isDirectory(),
        () => false,
      );
      return { kind: "unstartable", reason: isFolder ? run.end.reason : `the folder ${opts.cwd} does not exist` };
    }
    case "lost":
      return { kind: "lost", reason: `git ${args.slice(0, 2).join(" ")}: ${run.end.reason}` };
  }
}

/** The first of simple-git's unsafe-argument findings not allowed by what the environment itself configures. */
function unsafeArgument(args: string[], env: Record<string, string>): string | undefined {
  // What the operator's own environment configures (GIT_SSH_COMMAND, GIT_CONFIG_*, EDITOR …) stays allowed.
  const allowed = new Set(vulnerabilityCheck([], env).map((finding) => finding.category));
  return vulnerabilityCheck(args, env).find((finding) => !allowed.has(finding.category))?.message;
}

const GIT = "git";
const PROGRESS_LINE = /^([\s\S]+?):\s*(\d+)% \((\d+)\/(\d+)\)/;

/**
 * Progress events from git's stderr as simple-git's progress plugin read them (one per chunk: the chunk's first
 * `<stage>: <n>% (<done>/<total>)`, the stage its first word in lower case). A chunk can hold a stage's last
 * report ("100% (301/301), done") after others, so git exiting 0 completes every stage last reported short of it.
 */
function progressReader(method: string, onProgress: (progress: GitProgress) => void) {
  const last = new Map<string, GitProgress>();
  return {
    read: (chunk: Buffer) => {
      const match = PROGRESS_LINE.exec(chunk.toString("utf8"));
      if (match === null) return;
      const stage = match[1]?.toLowerCase().split(" ", 1)[0] || "unknown";
      const event = { method, stage, progress: Number(match[2]), processed: Number(match[3]), total: Number(match[4]) };
      last.set(event.stage, event);
      onProgress(event);
    },
    complete: () => {
      for (const event of last.values()) {
        if (event.progress < 100) onProgress({ ...event, progress: 100, processed: event.total });
      }
    },
  };
}

function gitEnv(extra: Record<string, string> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  for (const name of INHERITED_GIT_VARS) delete env[name];
  // The repository's hooks run with git's environment.
  for (const name of Object.keys(env)) if (isGroveSecret(name)) delete env[name];
  // GIT_OPTIONAL_LOCKS=0 keeps read-only commands (status) from taking index.lock in agents' worktrees.
  const guarded = {
    GIT_TERMINAL_PROMPT: "0",
    LC_ALL: "C",
    GIT_OPTIONAL_LOCKS: "0",
    GIT_TEST_DISALLOW_ABBREVIATED_OPTIONS: "true",
  };
  return { ...env, ...guarded, ...extra };
}
