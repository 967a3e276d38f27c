import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";
import { signalGroup } from "./agent-process-group.ts";

/**
 * Where `command` resolves as a child started with `env` in `cwd` would find it (execvp's rules): a name
 * with a slash is a path (relative to `cwd`), a bare name is looked up along `env.PATH`, an empty entry
 * meaning `cwd`. Null when nothing executable is there.
 */
export function findExecutable(command: string, env: Readonly<Record<string, string | undefined>>, cwd: string): string | null {
  if (command === "") return null;
  if (command.includes("/")) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    return isExecutableFile(path) ? path : null;
  }
  for (const entry of (env.PATH ?? "").split(delimiter)) {
    const path = join(entry === "" ? cwd : resolve(cwd, entry), command);
    if (isExecutableFile(path)) return path;
  }
  return null;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export type CliProbe = {
  /** stdout then stderr, cut at `maxBytes` each. */
  output: string;
  exitCode: number | null;
  /** It did not end within `timeoutMs`: its whole process group was killed. */
  timedOut: boolean;
  /** It could not be started (spawn's error), else null. */
  error: string | null;
};

/**
 * Runs a short informational command (`claude --version`): an argv, stdin closed, its own process group
 * killed whole after `timeoutMs`, at most `maxBytes` of each stream kept. A CLI that hangs, floods or
 * forks costs at most that.
 */
export function probeCli(
  argv: readonly string[],
  options: { env: Readonly<Record<string, string | undefined>>; cwd: string; timeoutMs: number; maxBytes: number },
): Promise<CliProbe> {
  const [file = "", ...args] = argv;
  return new Promise((resolvePromise) => {
    const kept = { stdout: "", stderr: "" };
    let timedOut = false;
    let settled = false;
    // PWD names the folder the child starts in, as a shell would (and as startAgentProcess does).
    const env: Record<string, string | undefined> = { ...options.env, PWD: options.cwd };
    const child = spawn(file, args, {
      cwd: options.cwd,
      // As spawn's ProcessEnv: the caller chose every variable, and the web app's tests type-check this module
      // with Next's types, where ProcessEnv requires NODE_ENV (see agent-process.ts).
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed under Next's types
      env: env as NodeJS.ProcessEnv,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const finish = (probe: Omit<CliProbe, "output" | "timedOut">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
      resolvePromise({ ...probe, output: `${kept.stdout}${kept.stderr}`.trim(), timedOut });
    };
    for (const stream of ["stdout", "stderr"] as const) {
      child[stream].setEncoding("utf8");
      child[stream].on("data", (text: string) => {
        const room = options.maxBytes - Buffer.byteLength(kept[stream]);
        if (room > 0) kept[stream] += Buffer.from(text).subarray(0, room).toString("utf8");
      });
    }
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) signalGroup(child.pid, "SIGKILL");
    }, options.timeoutMs);
    child.once("error", (error) => finish({ exitCode: null, error: error.message }));
    child.once("close", (exitCode) => finish({ exitCode, error: null }));
  });
}
