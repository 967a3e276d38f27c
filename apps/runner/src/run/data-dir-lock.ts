import { DomainError, isDomainError } from "@grove/core";
import { holdLockFile } from "@grove/core/node";
import { ensurePrivateDir } from "@grove/core/private-files";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

const HolderSchema = z.object({ pid: z.number().int(), host: z.string(), at: z.number() });

/**
 * Makes the data folder (private) and takes it for this process. One `grove runner` per data folder: two would
 * both resume the same interrupted runs and send the same spools. A second one fails at start, naming the
 * holder; a holder that died (kill -9, a crash) is taken over at once. Headless commands (grove session run,
 * grove approve) share the folder by design and take no part in this.
 */
export async function holdDataDir(dataDir: string): Promise<() => Promise<void>> {
  await ensurePrivateDir(dataDir);
  const lockPath = join(dataDir, "runner.lock");
  try {
    // The data folder is private: its every file is the user's alone.
    return await holdLockFile(lockPath, { timeoutMs: 2_000, mode: 0o600, what: "the data folder's runner lock" });
  } catch (error) {
    if (!(isDomainError(error) && error.code === "LOCK_TIMEOUT")) throw error;
    const holder = HolderSchema.safeParse(parseJson(await readFile(lockPath, "utf8").catch(() => "")));
    const who = holder.success
      ? `pid ${holder.data.pid} on ${holder.data.host}, since ${new Date(holder.data.at).toISOString()}`
      : "a process that left no record";
    throw new DomainError("LOCK_TIMEOUT", `another \`grove runner\` (${who}) serves the data folder ${dataDir}`, {
      cause: error,
      hint: `one runner per data folder: stop that one first, or give this one its own --data-dir. A lock whose process is gone (${lockPath}) is taken over by itself.`,
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
