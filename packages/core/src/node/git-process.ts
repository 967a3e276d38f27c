import { vulnerabilityCheck } from "@simple-git/argv-parser";
import { GitConstructError, GitPluginError, simpleGit, type SimpleGitOptions } from "simple-git";
import { isGroveSecret } from "./grove-secrets.ts";

/** A progress line git printed (`Receiving objects:  45% (450/1000)`), as simple-git's progress plugin parses it. */
export type GitProgress = { method: string; stage: string; progress: number; processed: number; total: number };

export type GitProcessOptions = {
  cwd: string;
  env?: Record<string, string>;
  input?: string;
  /** Kills git (SIGINT) once it has printed nothing for this long (simple-git's timeout plugin). */
  idleTimeoutMs?: number;
  /** Kills git (SIGINT) when aborted; an already aborted signal starts no git at all. */
  signal?: AbortSignal;
  /** Progress of clone/fetch/checkout; the caller puts `--progress` in args (before any `--`). */
  onProgress?: (progress: GitProgress) => void;
  /** Each chunk git writes on stderr, as it comes (run-git.ts still gets the whole of it at the end). */
  onStderr?: (chunk: Buffer) => void;
};

/** How one git process ended: it ran (exit code or signal), was refused before it started, or was killed by us. */
export type GitProcessResult =
  | { kind: "exited"; stdout: Buffer; stderr: Buffer; exitCode: number; signal: string | null }
  | { kind: "refused"; reason: string }
  | { kind: "killed"; why: "timeout" | "abort"; stderr: Buffer }
  | { kind: "unstartable"; reason: string };

// Inherited from a git hook or a parent git command, these would point our git at another repository or index.
const INHERITED_GIT_VARS = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX", "GIT_OBJECT_DIRECTORY"];

const NO_INPUT = Buffer.alloc(0);
type Captured = { stdOut: Buffer[]; stdErr: Buffer[]; exitCode: number | null };

/**
 * One git process through simple-git, with grove's scrubbed environment. simple-git refuses option
 * injection in argv (`--upload-pack=…`, `-c protocol.ext.allow=…`, `-c core.sshCommand=…`) before git
 * starts. Nothing here retries or throws for git's own failures: run-git.ts decides what an exit code means.
 */
export async function spawnGit(args: string[], opts: GitProcessOptions): Promise<GitProcessResult> {
  const env = gitEnv(opts.env);
  const progress = opts.onProgress === undefined ? undefined : completingProgress(opts.onProgress);
  let captured: Captured | undefined;
  let git;
  try {
    git = simpleGit({
      ...guards(env),
      baseDir: opts.cwd,
      // `close` fires once git exited and both pipes are drained; waiting for `exit` as well adds nothing.
      completion: { onClose: true, onExit: false },
      // Always end stdin, as `git commit-tree`/`hash-object --stdin` would otherwise wait for more.
      input: () => (opts.input === undefined ? NO_INPUT : Buffer.from(opts.input)),
      // Every process ends here, failed or not: keep its raw output and let run-git.ts judge the exit code.
      errors: (error, result) => {
        captured = result;
        return error instanceof GitPluginError ? error : undefined;
      },
      ...(opts.idleTimeoutMs === undefined ? {} : { timeout: { block: opts.idleTimeoutMs } }),
      ...(opts.signal === undefined ? {} : { abort: opts.signal }),
      ...(progress === undefined ? {} : { progress: progress.onProgress }),
    })
      .env(env)
      .outputHandler((_command, stdout, stderr) => {
        endCloseDelay(stdout);
        if (opts.onStderr) stderr.on("data", opts.onStderr);
      });
  } catch (error) {
    // simple-git checks the folder before spawning: a missing cwd is "could not start", as spawn's ENOENT was.
    if (error instanceof GitConstructError) return { kind: "unstartable", reason: error.message };
    throw error;
  }
  try {
    await git.raw(args);
  } catch (error) {
    return failure(error, captured);
  }
  if (captured === undefined) return { kind: "unstartable", reason: "git reported no result" };
  if (captured.exitCode === 0) progress?.complete();
  return exited(captured);
}

/**
 * simple-git reads one progress line per stderr chunk, so a stage's last report ("100% (301/301), done")
 * can be lost when git prints it with others. git exiting 0 means every stage it reported ran to its end:
 * those it last reported short of it are reported at 100 % once git has exited.
 */
function completingProgress(onProgress: (progress: GitProgress) => void) {
  const last = new Map<string, GitProgress>();
  return {
    onProgress: (event: GitProgress) => {
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

function exited(captured: Captured): GitProcessResult {
  const stdout = Buffer.concat(captured.stdOut);
  const stderr = Buffer.concat(captured.stdErr);
  // A spawn error (git missing) reaches simple-git as a negative exit code with the error in stderr.
  if (captured.exitCode !== null && captured.exitCode < 0)
    return { kind: "unstartable", reason: stderr.toString("utf8").split("\n")[0] ?? "" };
  // simple-git passes on `close`'s exit code only, not its signal: null means a signal ended git, not which.
  return {
    kind: "exited",
    stdout,
    stderr,
    exitCode: captured.exitCode ?? -1,
    signal: captured.exitCode === null ? "unknown signal" : null,
  };
}

function failure(error: unknown, captured: Captured | undefined): GitProcessResult {
  if (!(error instanceof GitPluginError)) throw error;
  const stderr = Buffer.concat(captured?.stdErr ?? []);
  if (error.plugin === "timeout" || error.plugin === "abort") return { kind: "killed", why: error.plugin, stderr };
  return { kind: "refused", reason: error.message };
}

/**
 * simple-git's guards, set for an environment grove built on purpose: every variable in it may reach git
 * (allowEnvironment), and what the operator's own environment configures (GIT_SSH_COMMAND, GIT_CONFIG_*,
 * EDITOR …) stays allowed. Everything else its unsafe-operations check finds in argv is refused.
 */
function guards(env: Record<string, string>): Pick<SimpleGitOptions, "allowEnvironment" | "unsafe"> {
  const unsafe: NonNullable<SimpleGitOptions["unsafe"]> = {};
  for (const { category } of vulnerabilityCheck([], env)) unsafe[category] = true;
  return { allowEnvironment: Object.keys(env), unsafe };
}

function gitEnv(extra: Record<string, string> | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env[name] = value;
  for (const name of INHERITED_GIT_VARS) delete env[name];
  // The repository's hooks run with git's environment.
  for (const name of Object.keys(env)) if (isGroveSecret(name)) delete env[name];
  // GIT_OPTIONAL_LOCKS=0 keeps read-only commands (status) from taking index.lock in agents' worktrees.
  return { ...env, GIT_TERMINAL_PROMPT: "0", LC_ALL: "C", GIT_OPTIONAL_LOCKS: "0", ...extra };
}

/**
 * simple-git 4's completion plugin waits a further 50 ms after `close` when git printed nothing on either
 * pipe (update-ref, config, show-ref --quiet …), which would make every silent call 50 ms slower than
 * spawning git directly. An empty chunk on stdout, sent once its listeners are attached (they are, by the next
 * tick), tells it output was seen; it adds no bytes.
 */
function endCloseDelay(stdout: NodeJS.ReadableStream): void {
  process.nextTick(() => stdout.emit("data", NO_INPUT));
}
