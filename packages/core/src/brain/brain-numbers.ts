export type BrainKind = "LEARN" | "LOG";

const NUMBERED = /^(LEARN|LOG)-(\d+)(?=[-_.]|$)/i;

/** The highest number in use per kind among these paths (any depth of the brain folder). */
export function highestBrainNumbers(paths: readonly string[]): Record<BrainKind, number> {
  const highest: Record<BrainKind, number> = { LEARN: 0, LOG: 0 };
  for (const path of paths) {
    const name = path.split("/").at(-1) ?? "";
    const match = NUMBERED.exec(name);
    if (!match?.[1] || !match[2]) continue;
    const kind = match[1].toUpperCase() === "LOG" ? "LOG" : "LEARN";
    highest[kind] = Math.max(highest[kind], Number(match[2]));
  }
  return highest;
}

/** `LEARN-007`: at least three digits, more when the numbers grow past 999. */
export function formatBrainId(kind: BrainKind, n: number): string {
  return `${kind}-${String(n).padStart(3, "0")}`;
}
