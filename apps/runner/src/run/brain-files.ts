import { readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";

export type BrainFile = { path: string; content: string; isTruncated: boolean };

const MAX_FILE_CHARS = 40_000;
const MAX_TOTAL_CHARS = 150_000;
const MAX_FILES = 20;

/**
 * The brain files a task names in its prompt, read from its worktree: by ID (`LEARN-029`), by file
 * name (`LEARN-029-git-worktree-workflows.md`) or by path (`project-brain/notes/x.md`). Bounded, and
 * never outside the brain folder.
 */
export async function findNamedBrainFiles(worktree: string, brainDir: string, prompt: string): Promise<BrainFile[]> {
  const root = await realpath(join(worktree, brainDir)).catch(() => null);
  if (!root || !(await realpath(worktree).then((w) => root.startsWith(w + sep)))) return [];
  const ids = new Set([...prompt.matchAll(/\b([A-Z]{2,10}-\d{1,5})\b/g)].map((m) => m[1]));
  const files: BrainFile[] = [];
  let total = 0;
  for (const path of await listMarkdown(root, 2_000)) {
    if (files.length >= MAX_FILES || total >= MAX_TOTAL_CHARS) break;
    const rel = relative(root, path).split(sep).join("/");
    const name = rel.split("/").at(-1) ?? rel;
    const id = /^([A-Z]{2,10}-\d{1,5})\b/.exec(name)?.[1];
    const isNamed = (id !== undefined && ids.has(id)) || prompt.includes(name) || prompt.includes(`${brainDir}/${rel}`);
    if (!isNamed) continue;
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) continue;
    const text = await readFile(path, "utf8");
    const budget = Math.min(MAX_FILE_CHARS, MAX_TOTAL_CHARS - total);
    files.push({ path: `${brainDir}/${rel}`, content: text.slice(0, budget), isTruncated: text.length > budget });
    total += Math.min(text.length, budget);
  }
  return files;
}

async function listMarkdown(dir: string, limit: number): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (found.length >= limit) return;
      const path = join(current, entry.name);
      // Symlinks are not followed: they could lead out of the brain folder.
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && entry.name.endsWith(".md")) found.push(path);
    }
  };
  await walk(dir);
  return found;
}
