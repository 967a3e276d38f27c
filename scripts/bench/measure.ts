import { performance } from "node:perf_hooks";

export type Sample = { median: number; p90: number; runs: number };

/** Runs `fn` `runs` times after `warmup` discarded runs; median and p90 in ms. */
export async function measure(fn: (i: number) => Promise<void>, runs: number, warmup = 2): Promise<Sample> {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { median: at(0.5), p90: at(0.9), runs };
}

export function ratioLine(label: string, grove: number, baseline: number, goal: number): string {
  const ratio = grove / baseline;
  const verdict = ratio <= goal ? "meets" : "MISSES";
  return `${label.padEnd(44)} grove ${grove.toFixed(1).padStart(8)} ms  baseline ${baseline.toFixed(1).padStart(8)} ms  ratio ${ratio.toFixed(2)}× (goal ≤ ${goal}×, ${verdict})`;
}
