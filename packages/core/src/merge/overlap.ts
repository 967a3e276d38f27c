export type BranchFiles = { branch: string; files: readonly string[] };
export type Overlap = { file: string; branches: string[] };

/**
 * The overlap radar: for every branch, the files it changes that other branches also change,
 * each with the other branches, sorted by file. Branches without overlap get an empty list.
 */
export function computeOverlaps(branches: readonly BranchFiles[]): Map<string, Overlap[]> {
  const touchedBy = new Map<string, string[]>();
  for (const { branch, files } of branches) {
    for (const file of new Set(files)) {
      const list = touchedBy.get(file) ?? [];
      list.push(branch);
      touchedBy.set(file, list);
    }
  }
  const result = new Map<string, Overlap[]>();
  for (const { branch, files } of branches) {
    const overlaps: Overlap[] = [];
    for (const file of [...new Set(files)].sort()) {
      const others = (touchedBy.get(file) ?? []).filter((other) => other !== branch).sort();
      if (others.length > 0) overlaps.push({ file, branches: others });
    }
    result.set(branch, overlaps);
  }
  return result;
}
