import { holdLockFile } from "@grove/core/node";
import { ensurePrivateDir } from "@grove/core/private-files";
import { join } from "node:path";

/**
 * Makes the data folder (private) and takes it for this process. One `grove runner` per data folder: two would
 * both resume the same interrupted runs and send the same spools. A second one fails at start, naming the
 * holder; a holder that died (kill -9, a crash) is taken over at once. Headless commands (grove session run,
 * grove approve) share the folder by design and take no part in this.
 */
export async function holdDataDir(dataDir: string): Promise<() => Promise<void>> {
  await ensurePrivateDir(dataDir);
  return holdLockFile(join(dataDir, "runner.lock"), {
    timeoutMs: 2_000,
    // The data folder is private: its every file is the user's alone.
    mode: 0o600,
    what: "the data folder's runner lock (another `grove runner` serves this folder; give this one its own --data-dir)",
  });
}
