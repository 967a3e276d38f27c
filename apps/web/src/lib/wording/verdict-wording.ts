// The merge gate's predictions as an approval card words them. Once the request merged, what they warned of
// is past: a red line there would alarm about a merge that already happened cleanly.

export type VerdictTone = "good" | "bad" | "unknown" | "info";
export type VerdictLine = { tone: VerdictTone; text: string };

const MOOT: VerdictLine = { tone: "info", text: "moot: it merged" };

export function conflictsLine(conflicts: readonly string[] | null, state: string): VerdictLine {
  if (state === "merged") return MOOT;
  if (conflicts === null) return { tone: "unknown", text: "not checked" };
  if (conflicts.length === 0) return { tone: "good", text: "none predicted" };
  return { tone: "bad", text: `${conflicts.length} file(s): ${conflicts.slice(0, 3).join(", ")}` };
}

export function overlapLine(overlap: readonly { file: string; branches: string[] }[] | null, state: string): VerdictLine {
  if (state === "merged") return MOOT;
  if (overlap === null) return { tone: "unknown", text: "not checked" };
  if (overlap.length === 0) return { tone: "good", text: "no other agent touches these files" };
  const text = overlap
    .slice(0, 2)
    .map((o) => `${o.file} (also ${o.branches.join(", ")})`)
    .join("; ");
  return { tone: "bad", text };
}
