import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutputStream } from "./agent-process-contract.ts";

export type Capture = {
  dir: string;
  /** A folder made for this one process (no `captureDir` given): removed with the files. */
  isPrivateDir: boolean;
  paths: Record<OutputStream, string>;
  /** For the child's stdio; the parent closes them right after spawn. */
  writeFds: Record<OutputStream, number>;
  readFds: Record<OutputStream, number>;
};

export const STREAMS = ["stdout", "stderr"] as const;
const MAX_NAME_ATTEMPTS = 1_000;

/**
 * Creates two new, empty output files: `stdout.log` / `stderr.log`, or `stdout-N.log` / `stderr-N.log`
 * with the lowest free N. Files are never reused, because the writer of an earlier attempt may still be alive.
 */
export function openCapture(captureDir: string | undefined): Capture {
  const isPrivateDir = captureDir === undefined;
  const dir = captureDir ?? mkdtempSync(join(tmpdir(), "grove-capture-"));
  const opened: number[] = [];
  const open = (path: string, flags: string) => {
    const fd = openSync(path, flags, 0o600);
    opened.push(fd);
    return fd;
  };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (let attempt = 1; attempt <= MAX_NAME_ATTEMPTS; attempt++) {
      const suffix = attempt === 1 ? "" : `-${attempt}`;
      const paths = { stdout: join(dir, `stdout${suffix}.log`), stderr: join(dir, `stderr${suffix}.log`) };
      const stdout = openNew(paths.stdout, open);
      if (stdout === undefined) continue;
      const stderr = openNew(paths.stderr, open);
      if (stderr === undefined) {
        rmSync(paths.stdout, { force: true });
        continue;
      }
      const readFds = { stdout: open(paths.stdout, "r"), stderr: open(paths.stderr, "r") };
      return { dir, isPrivateDir, paths, writeFds: { stdout, stderr }, readFds };
    }
    throw new Error(`no free stdout-N.log name in ${dir}`);
  } catch (error) {
    for (const fd of opened) closeSync(fd);
    if (isPrivateDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Deletes the output files (and the private folder). Best effort: they were only a buffer. */
export function removeCapture(capture: Capture): void {
  try {
    if (capture.isPrivateDir) rmSync(capture.dir, { recursive: true, force: true });
    else for (const stream of STREAMS) rmSync(capture.paths[stream], { force: true });
  } catch {
    // A file that cannot be removed is left in the run's folder; nothing depends on it being gone.
  }
}

function openNew(path: string, open: (path: string, flags: string) => number): number | undefined {
  try {
    return open(path, "wx");
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "EEXIST") return undefined;
    throw error;
  }
}
