import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";

/** How soon a crashed process is started again: `initialMs`, doubling per crash up to `maxMs`; back to `initialMs` once a start stayed up `stableMs`. */
export type RestartPolicy = { initialMs: number; maxMs: number; stableMs: number };
export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialMs: 1_000, maxMs: 30_000, stableMs: 60_000 };

export type SupervisedExit = { code: number | null; signal: NodeJS.Signals | null; upMs: number };

export type SupervisorOptions = {
  /** Names the process in log lines ("web", "runner"). */
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  /** The complete environment of every start (nothing is added: the supervisor sets no umask or variable of its own). */
  env: NodeJS.ProcessEnv;
  log: (message: string) => void;
  /** Gets the child's stdout and stderr; without it the child shares the supervisor's terminal. */
  onOutput?: (text: string) => void;
  policy?: RestartPolicy;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /**
   * An end that no restart can cure (the port is taken, the configuration is refused): it is not restarted,
   * and `onGiveUp` is told, so the caller can stop the rest and say why instead of restarting forever.
   */
  isFatal?: (exit: SupervisedExit) => boolean;
  onGiveUp?: (exit: SupervisedExit) => void;
};

export type SupervisedProcess = {
  /** The pid of the running start, null between a crash and its restart (and after stop). */
  pid(): number | null;
  /** How many times the process was started again after it ended. */
  restarts(): number;
  /** From now on an end is not followed by a restart (and a pending restart is cancelled); the process keeps running. */
  stopRestarting(): void;
  /** Stops the process for good (SIGTERM, then SIGKILL after the grace period) and cancels a pending restart. */
  stop(): Promise<void>;
};

/**
 * Stops `processes` one after the other, in the order given, but first marks every one of them as not to be
 * restarted: a Ctrl-C reaches the whole process group, so a later one may end by itself while an earlier one
 * is still stopping, and must not be started again then.
 */
export async function stopInOrder(processes: readonly SupervisedProcess[]): Promise<void> {
  for (const proc of processes) proc.stopRestarting();
  for (const proc of processes) await proc.stop();
}

/**
 * The delay before the next start after `exit`, and the crash count to carry on with: quick crashes
 * back off exponentially, a start that stayed up `stableMs` counts as healthy and resets the back-off.
 */
export function nextRestart(
  policy: RestartPolicy,
  crashes: number,
  exit: Pick<SupervisedExit, "upMs">,
): { delayMs: number; crashes: number } {
  const count = exit.upMs >= policy.stableMs ? 1 : crashes + 1;
  return { delayMs: Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(count - 1, 30)), crashes: count };
}

export function describeExit(exit: SupervisedExit): string {
  if (exit.signal) return `was killed by ${exit.signal} after ${formatDuration(exit.upMs)}`;
  if (exit.code === null) return "did not start";
  return `exited with code ${exit.code} after ${formatDuration(exit.upMs)}`;
}

/**
 * Runs a long-lived child process and starts it again whenever it ends on its own, with back-off and
 * a log line for each end and restart; only stop() ends it for good.
 */
export function superviseProcess(opts: SupervisorOptions): SupervisedProcess {
  const policy = opts.policy ?? DEFAULT_RESTART_POLICY;
  let child: ChildProcess | null = null;
  let crashes = 0;
  let restarts = 0;
  let pendingRestart: NodeJS.Timeout | undefined;
  let stopping = false;
  let exited: Promise<void> = Promise.resolve();

  const start = () => {
    pendingRestart = undefined;
    const startedAt = Date.now();
    const stdio: StdioOptions = opts.onOutput ? ["ignore", "pipe", "pipe"] : "inherit";
    const proc: ChildProcess = spawn(opts.command, [...opts.args], { cwd: opts.cwd, env: opts.env, stdio });
    child = proc;
    const forward = (chunk: Buffer) => opts.onOutput?.(chunk.toString("utf8"));
    proc.stdout?.on("data", forward);
    proc.stderr?.on("data", forward);
    exited = new Promise((resolve) => {
      let isEnded = false;
      const end = (exit: SupervisedExit) => {
        if (isEnded) return;
        isEnded = true;
        child = null;
        resolve();
        if (!stopping) onUnexpectedExit(exit);
      };
      proc.once("error", (error) => {
        opts.log(`${opts.name} could not be started: ${error.message}`);
        // A child that never started emits no "close" to wait for.
        if (proc.pid === undefined) end({ code: null, signal: null, upMs: 0 });
      });
      proc.once("close", (code, signal) => end({ code, signal, upMs: Date.now() - startedAt }));
    });
  };

  const onUnexpectedExit = (exit: SupervisedExit) => {
    if (opts.isFatal?.(exit)) {
      stopping = true;
      opts.log(`${opts.name} ${describeExit(exit)}; not restarting it (a restart would end the same way)`);
      opts.onGiveUp?.(exit);
      return;
    }
    const next = nextRestart(policy, crashes, exit);
    crashes = next.crashes;
    opts.log(`${opts.name} ${describeExit(exit)}; restarting it in ${formatDuration(next.delayMs)} (restart ${restarts + 1})`);
    pendingRestart = setTimeout(() => {
      restarts++;
      start();
      opts.log(`${opts.name} restarted (pid ${child?.pid ?? "?"})`);
    }, next.delayMs);
  };

  start();
  return {
    pid: () => child?.pid ?? null,
    restarts: () => restarts,
    stopRestarting() {
      stopping = true;
      clearTimeout(pendingRestart);
    },
    async stop() {
      stopping = true;
      clearTimeout(pendingRestart);
      const proc = child;
      if (!proc) return;
      const kill = setTimeout(() => proc.kill("SIGKILL"), opts.stopGraceMs ?? 10_000);
      proc.kill("SIGTERM");
      await exited;
      clearTimeout(kill);
    },
  };
}

function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1_000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
