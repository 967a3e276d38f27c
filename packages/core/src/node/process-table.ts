import { readdir, readFile, readlink } from "node:fs/promises";

export type ProcessEntry = { pid: number; command: string; cwd: string | null; cwdDeleted: boolean };

/**
 * Running processes with their working folder, from /proc. Null where there is no /proc (macOS,
 * Windows): callers must then fall back to judging by age alone.
 */
export async function listProcesses(): Promise<ProcessEntry[] | null> {
  const names = await readdir("/proc").catch(() => null);
  if (names === null) return null;
  const entries = await Promise.all(
    names
      .filter((name) => /^\d+$/.test(name))
      .map(async (name): Promise<ProcessEntry | null> => {
        const pid = Number(name);
        if (pid === process.pid) return null;
        const command = (await readFile(`/proc/${name}/comm`, "utf8").catch(() => null))?.trim();
        if (command === undefined) return null;
        const link = await readlink(`/proc/${name}/cwd`).catch(() => null);
        const cwdDeleted = link?.endsWith(" (deleted)") ?? false;
        return { pid, command, cwd: link === null ? null : link.replace(/ \(deleted\)$/, ""), cwdDeleted };
      }),
  );
  return entries.filter((entry): entry is ProcessEntry => entry !== null);
}

export function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith("/") ? folder : `${folder}/`);
}
