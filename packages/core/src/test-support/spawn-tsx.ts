import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// Resolved here so the child can run in any folder (a temp repository has no node_modules).
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

export type ScriptResult = { code: number | null; signal: string | null; stdout: string; stderr: string };

/** Runs a TypeScript file in a separate node process (node + tsx), as a second grove process would. */
export function runTsScript(
  script: string,
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; input?: string } = {},
): Promise<ScriptResult> {
  return runNode(["--import", tsxLoader, script, ...args], { ...opts, cwd: opts.cwd ?? dirname(fileURLToPath(import.meta.url)) });
}

/** Runs `node <args>` as a separate process: its exit, and all it printed. */
export function runNode(
  args: string[],
  opts: { env?: Record<string, string | undefined>; cwd?: string; input?: string } = {},
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.stdin.end(opts.input ?? "");
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
