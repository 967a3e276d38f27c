import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { DomainError } from "../errors/domain-error.ts";
import { createLineSplitter } from "./agent-process-lines.ts";
import { terminateGroup } from "./agent-process-group.ts";

export { createLineSplitter, type LineSplitter } from "./agent-process-lines.ts";
export { isGroupAlive, listGroupMembers } from "./agent-process-group.ts";

export type OutputStream = "stdout" | "stderr";

export type ProcessExit = {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
};

export type ProcessOptions = {
  cwd: string;
  /** The complete environment of the child (nothing is inherited implicitly). */
  env: Readonly<Record<string, string | undefined>>;
  onLine: (stream: OutputStream, text: string) => void;
  timeoutMs?: number;
  /** How long SIGTERM gets before SIGKILL, on timeout, cancel, and for leftovers after exit. */
  killGraceMs?: number;
  abortSignal?: AbortSignal;
};

export type AgentProcess = {
  readonly pid: number | undefined;
  /** Resolves once the process exited, every output line was delivered and no process of its group is left. */
  readonly done: Promise<ProcessExit>;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`. */
  cancel(graceMs?: number): Promise<ProcessExit>;
  /**
   * Stops reading the child's output until `resume()`: once the pipe buffer is full the child blocks
   * on its next write, which is how a consumer that cannot keep up bounds its memory.
   */
  pause(): void;
  resume(): void;
};

const DEFAULT_KILL_GRACE_MS = 5_000;
// A grandchild that left the group (setsid) may hold our pipes open forever; stop waiting after this.
const PIPE_DRAIN_MS = 1_000;

/**
 * Starts `command` (an argv array, never a shell string) as the leader of its own process group
 * in `cwd`, and reports its output line by line.
 */
export function startAgentProcess(command: readonly string[], options: ProcessOptions): AgentProcess {
  const [file, ...args] = command;
  const graceDefault = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const fail = (message: string, cause?: unknown) =>
    new DomainError("PROCESS_FAILED", message, {
      cause,
      process: { command: [...command], cwd: options.cwd, exitCode: null, signal: null, stderrTail: "" },
    });
  if (file === undefined || file.length === 0) {
    return failed(fail("Cannot start a process: the command is empty."));
  }
  if (!isDirectory(options.cwd)) {
    return failed(fail(`Cannot start ${file}: the working directory ${options.cwd} does not exist.`));
  }

  const startedAt = Date.now();
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  let cancelled = false;
  let timedOut = false;
  let stopping: Promise<void> | undefined;
  const stop = (graceMs: number) => {
    if (pid === undefined) return Promise.resolve();
    stopping ??= terminateGroup(pid, graceMs);
    return stopping;
  };

  const done = new Promise<ProcessExit>((resolve, reject) => {
    const stdout = createLineSplitter((text) => options.onLine("stdout", text));
    const stderr = createLineSplitter((text) => options.onLine("stderr", text));
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));

    child.once("error", (error) => {
      clearTimers();
      reject(fail(`Cannot start ${file}: ${error.message}`, error));
    });
    child.once("exit", (exitCode, signal) => {
      const durationMs = Date.now() - startedAt;
      clearTimers();
      // Whatever the leader left running in its group does not outlive the run.
      const leftovers = pid === undefined ? Promise.resolve() : terminateGroup(pid, graceDefault);
      const closed = new Promise<void>((resolveClosed) => {
        // Paused by the consumer: the output is still wanted, so wait for it rather than cut it off.
        const giveUp = () => {
          if (child.stdout.isPaused() || child.stderr.isPaused()) {
            drainTimer = setTimeout(giveUp, PIPE_DRAIN_MS);
            return;
          }
          child.stdout.destroy();
          child.stderr.destroy();
          resolveClosed();
        };
        let drainTimer = setTimeout(giveUp, PIPE_DRAIN_MS + graceDefault);
        child.once("close", () => {
          clearTimeout(drainTimer);
          resolveClosed();
        });
      });
      void Promise.all([leftovers, closed, stopping]).then(() => {
        stdout.end();
        stderr.end();
        resolve({ exitCode, signal, durationMs, timedOut, cancelled });
      }, reject);
    });
  });

  const timeoutTimer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          void stop(graceDefault);
        }, options.timeoutMs);
  const onAbort = () => {
    cancelled = true;
    void stop(graceDefault);
  };
  options.abortSignal?.addEventListener("abort", onAbort, { once: true });
  if (options.abortSignal?.aborted) onAbort();
  function clearTimers() {
    if (timeoutTimer) clearTimeout(timeoutTimer);
    options.abortSignal?.removeEventListener("abort", onAbort);
  }

  return {
    pid,
    done,
    cancel(graceMs = graceDefault) {
      cancelled = true;
      void stop(graceMs);
      return done;
    },
    pause() {
      child.stdout.pause();
      child.stderr.pause();
    },
    resume() {
      child.stdout.resume();
      child.stderr.resume();
    },
  };
}

/**
 * Runs a repository's own `setup` / `test` command from grove.yaml. Those are shell strings written
 * by the repository owner, so they run with `/bin/sh -c` (documented behaviour); never pass input here.
 */
export function runShellCommand(command: string, options: ProcessOptions): Promise<ProcessExit> {
  return startAgentProcess(["/bin/sh", "-c", command], options).done;
}

function failed(error: DomainError): AgentProcess {
  const done = Promise.reject(error);
  done.catch(() => undefined);
  return { pid: undefined, done, cancel: () => done, pause: () => undefined, resume: () => undefined };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
