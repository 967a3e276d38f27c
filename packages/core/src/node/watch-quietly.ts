import { watch, type FSWatcher } from "node:fs";

/** A watch on `path` that calls `onChange` per event, or undefined: a file watch is a hint, a poll must back it. */
export function watchQuietly(path: string, onChange: () => void): FSWatcher | undefined {
  try {
    const watcher = watch(path, { persistent: false }, () => onChange());
    // Out of inotify watches and the like: the caller's poll still reads the file.
    watcher.on("error", () => watcher.close());
    return watcher;
  } catch {
    return undefined;
  }
}
