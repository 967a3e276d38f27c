import { mkdirSync, readFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The peaks kept per kind of command: the largest of the latest few is what the next one is expected to take. */
const PEAKS_KEPT = 5;

/**
 * What earlier commands of each kind (a profile's runs, a repository's tests) took at their peak, in MB,
 * measured from their process groups. Kept in the runner's data folder when given a file, so a restarted
 * runner does not start from the defaults again.
 */
export type MemoryPeaks = {
  expectedMb(key: string): number | null;
  record(key: string, peakMb: number): void;
};

export function admissionPeaksFile(dataDir: string): string {
  return join(dataDir, "admission-peaks.json");
}

export function createMemoryPeaks(file?: string): MemoryPeaks {
  const peaks = new Map<string, number[]>(file ? Object.entries(readPeaks(file)) : []);
  let saving = Promise.resolve();
  return {
    expectedMb: (key) => {
      const seen = peaks.get(key);
      return seen && seen.length > 0 ? Math.max(...seen) : null;
    },
    record(key, peakMb) {
      if (!(peakMb > 0)) return;
      peaks.set(key, [...(peaks.get(key) ?? []), Math.round(peakMb)].slice(-PEAKS_KEPT));
      if (!file) return;
      const text = JSON.stringify(Object.fromEntries(peaks));
      // Written one after the other, each whole (write then rename): a crash leaves the previous file.
      saving = saving.then(() => savePeaks(file, text)).catch(() => undefined);
    },
  };
}

function readPeaks(file: string): Record<string, number[]> {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof parsed !== "object" || parsed === null) return {};
    const entries = Object.entries(parsed).filter(
      (entry): entry is [string, number[]] =>
        Array.isArray(entry[1]) && entry[1].every((mb) => typeof mb === "number" && Number.isFinite(mb) && mb > 0),
    );
    return Object.fromEntries(entries.map(([key, mbs]) => [key, mbs.slice(-PEAKS_KEPT)]));
  } catch {
    return {};
  }
}

async function savePeaks(file: string, text: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, text);
  await rename(partial, file);
}
