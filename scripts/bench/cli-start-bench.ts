import { execFile } from "node:child_process";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { REPO_ROOT } from "@grove/testing";

const exec = promisify(execFile);

/**
 * `pnpm grove --help` (the bundled CLI through pnpm, as a user starts it) against `node -e 0`, alternating,
 * medians of `runs`. The bundle is brought up to date first, so that a rebuild is not what is timed.
 */
export async function benchCliStart(runs: number): Promise<string> {
  await exec(process.execPath, ["apps/runner/bin/grove.mjs", "--help"], { cwd: REPO_ROOT });
  const grove: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < runs; i++) {
    grove.push(await timed(() => exec("pnpm", ["grove", "--help"], { cwd: REPO_ROOT })));
    node.push(await timed(() => exec(process.execPath, ["-e", "0"])));
  }
  const median = (times: number[]) => times.sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? 0;
  const [g, n] = [median(grove), median(node)];
  return `${`pnpm grove --help vs node -e 0 (median of ${runs})`.padEnd(44)} grove ${g.toFixed(1).padStart(8)} ms  baseline ${n.toFixed(1).padStart(8)} ms  ratio ${(g / n).toFixed(2)}× (reported)`;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}
