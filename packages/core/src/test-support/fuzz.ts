import type { Parameters } from "fast-check";

// `pnpm test` replays one fixed seed, so a red run is red again on every machine; `pnpm fuzz` sets
// GROVE_FUZZ_SEED to a fresh random seed (and prints it) and GROVE_FUZZ_RUNS to many more runs.
const FIXED_SEED = 20_261_130;
const DEFAULT_RUNS = 1000;

/**
 * fast-check settings for one property: GROVE_FUZZ_RUNS runs (default 1000) times `scale`, for properties
 * whose every case touches the file system or spawns a process; GROVE_FUZZ_SEED replays a failure.
 */
export function fuzzParameters<T>(scale = 1): Parameters<T> {
  const runs = Number(process.env.GROVE_FUZZ_RUNS ?? DEFAULT_RUNS);
  const seed = Number(process.env.GROVE_FUZZ_SEED ?? FIXED_SEED);
  return { seed, numRuns: Math.max(1, Math.round(runs * scale)) };
}
