import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, statSync } from "node:fs";
import { DomainError } from "../errors/domain-error.ts";
import { openCapture, removeCapture, type Capture } from "./agent-process-capture.ts";
import { tailCapture } from "./agent-process-tail.ts";
import type { AgentProcess, ProcessExit, ProcessOptions } from "./agent-process-contract.ts";
import { signalGroup, terminateGroup } from "./agent-process-group.ts";

export { createLineSplitter, type LineSplitter } from "./agent-process-lines.ts";
export { replayCapture, type CapturePosition } from "./capture-lines.ts";
export {
  isGroupAlive,
  listGroupMembers,
  listRunGroupMembers,
  listRunProcessGroups,
  terminateGroup,
} from "./agent-process-group.ts";

const DEFAULT_KILL_GRACE_MS = 5_000;
const DEFAULT_MAX_BACKLOG_BYTES = 64 * 1024 * 1024;

/**
 * Starts `command` (an argv array, never a shell string) as the leader of its own process group
 * in `cwd`. Its stdout and stderr go straight to files, which are read back line by line, so a child
 * that floods its output never waits on the reader.
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
  let capture: Capture;
  try {
    capture = openCapture(options.captureDir);
  } catch (error) {
    return failed(fail(`Cannot start ${file}: its output files cannot be created (${describe(error)}).`, error));
  }
  const settleCapture = () => {
    if (!options.isCaptureKept) removeCapture(capture);
  };

  const startedAt = Date.now();
  // PWD names the folder the child starts in, as a shell's would; grove's own would mislead it.
  const env: Record<string, string | undefined> = { ...options.env, PWD: options.cwd };
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      cwd: options.cwd,
      // As spawn's ProcessEnv, which a program's types may narrow: the caller chose every variable, and the
      // web app's tests type-check this module with Next's types, where ProcessEnv requires NODE_ENV.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed under Next's types
      env: env as NodeJS.ProcessEnv,
      detached: true,
      stdio: ["ignore", capture.writeFds.stdout, capture.writeFds.stderr],
    });
  } catch (error) {
    closeSync(capture.readFds.stdout);
    closeSync(capture.readFds.stderr);
    settleCapture();
    return failed(fail(`Cannot start ${file}: ${describe(error)}`, error));
  } finally {
    closeSync(capture.writeFds.stdout);
    closeSync(capture.writeFds.stderr);
  }
  const pid = child.pid;
  let cancelled = false;
  let timedOut = false;
  let isStoppedForBacklog = false;
  // From the first signal of termination on, only terminateGroup signals the group.
  let isTerminating = false;
  let stopping: Promise<void> | undefined;
  const terminate = (graceMs: number) => {
    isTerminating = true;
    isStoppedForBacklog = false;
    return pid === undefined ? Promise.resolve() : terminateGroup(pid, graceMs);
  };
  const stop = (graceMs: number) => {
    stopping ??= terminate(graceMs);
    return stopping;
  };

  const tail = tailCapture(capture, {
    onLine: options.onLine,
    ...(options.onRead ? { onRead: options.onRead } : {}),
    ...(options.maxLineChars ? { maxLineChars: options.maxLineChars } : {}),
    maxBacklogBytes: options.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG_BYTES,
    onBacklog: (isOver, backlogBytes) => {
      if (pid === undefined || isTerminating || isOver === isStoppedForBacklog) return;
      if (!signalGroup(pid, isOver ? "SIGSTOP" : "SIGCONT")) return;
      isStoppedForBacklog = isOver;
      options.onBackpressure?.(isOver, backlogBytes);
    },
  });

  const done = new Promise<ProcessExit>((resolve, reject) => {
    child.once("error", (error) => {
      clearTimers();
      tail.close();
      settleCapture();
      reject(fail(`Cannot start ${file}: ${error.message}`, error));
    });
    child.once("exit", (exitCode, signal) => {
      const durationMs = Date.now() - startedAt;
      clearTimers();
      // Whatever the leader left running in its group does not outlive the run.
      const leftovers = terminate(graceDefault);
      // Output is read to the end it has once the group is gone; an escaped writer (setsid) is not waited for.
      const delivered = Promise.all([leftovers, stopping]).then(
        () => tail.finish(),
        (error: unknown) => {
          tail.close();
          throw error;
        },
      );
      void delivered.finally(settleCapture).then(
        () => resolve({ exitCode, signal, durationMs, timedOut, cancelled }),
        (error: unknown) => reject(fail(`Cannot read the output of ${file}: ${describe(error)}`, error)),
      );
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
    get isStoppedForBacklog() {
      return isStoppedForBacklog;
    },
    cancel(graceMs = graceDefault) {
      cancelled = true;
      void stop(graceMs);
      return done;
    },
    pause: () => tail.pause(),
    resume: () => tail.resume(),
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
  return {
    pid: undefined,
    done,
    isStoppedForBacklog: false,
    cancel: () => done,
    pause: () => undefined,
    resume: () => undefined,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
