import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/** Allocated bytes of everything under `path` (like `du -s`), symlinks not followed, hard links counted once. */
export async function diskBytes(path: string): Promise<number> {
  const seen = new Set<string>();
  const walk = async (entry: string): Promise<number> => {
    const info = await lstat(entry).catch(() => null);
    if (info === null) return 0;
    const inode = `${info.dev}:${info.ino}`;
    if (seen.has(inode)) return 0;
    seen.add(inode);
    if (!info.isDirectory()) return info.blocks * 512;
    // A folder's entries at once: the file system's thread pool stats them in parallel.
    const names = await readdir(entry).catch(() => []);
    const sizes = await Promise.all(names.map((name) => walk(join(entry, name))));
    return sizes.reduce((sum, size) => sum + size, info.blocks * 512);
  };
  return walk(path);
}
