import { describeError } from "@grove/core";
import { randomUUID } from "node:crypto";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "@grove/core/private-files";
import type { Logger } from "../logger.ts";

const EVENTS = new Set(["run:state", "run:report", "audit:record", "merge:result"]);

export type JournaledEvent = { event: string; payload: unknown };

/**
 * The runner's events for the hub on disk until the hub acknowledged them (or refused them): a file each in
 * `<dataDir>/outbox/`, named so that they sort in the order they were sent. A runner killed -9 while its hub was
 * away or had not answered yet leaves them, and the next runner on the data folder sends them first. Without it
 * a run whose record says it ended, but whose end never reached the hub, would show as running there for good.
 */
export function createOutboxJournal(dir: string, log: Logger) {
  let counter = 0;
  return {
    /**
     * Written before the event is queued (synchronously, so that it is on disk when `send` returns). Its path; null
     * when it cannot be written (a full disk): the event is still sent, from memory only, and the log says so.
     */
    add(event: string, payload: unknown): string | null {
      const name = `${String(Date.now()).padStart(15, "0")}-${String(counter++).padStart(9, "0")}-${randomUUID()}.json`;
      const path = join(dir, name);
      try {
        mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
        // Whole or absent: a crash mid-write leaves only a temporary file, which the next runner ignores.
        writeFileSync(`${path}.tmp`, JSON.stringify({ event, payload }), { mode: PRIVATE_FILE_MODE });
        renameSync(`${path}.tmp`, path);
        return path;
      } catch (error) {
        log(`outbox: cannot keep ${event} on disk (${describeError(error)}); it is sent from memory only`);
        return null;
      }
    },
    /** The hub answered it: it is not sent again. */
    remove(path: string): void {
      void rm(path, { force: true }).catch((error: unknown) => log(`cannot remove ${path}: ${describeError(error)}`));
    },
    /** What an earlier runner on this data folder left unacknowledged, oldest first (unreadable files removed). */
    async pending(): Promise<{ path: string; entry: JournaledEvent }[]> {
      const names = (await readdir(dir).catch(() => [])).sort();
      const found: { path: string; entry: JournaledEvent }[] = [];
      for (const name of names) {
        const path = join(dir, name);
        if (!name.endsWith(".json")) {
          if (name.endsWith(".json.tmp")) await rm(path, { force: true });
          continue;
        }
        const entry = await readFile(path, "utf8")
          .then((text) => JSON.parse(text) as JournaledEvent)
          .catch(() => null);
        if (entry === null || typeof entry !== "object" || !EVENTS.has(entry.event)) {
          log(`outbox: ${path} is no event an earlier runner left; removed`);
          await rm(path, { force: true });
          continue;
        }
        found.push({ path, entry });
      }
      return found;
    },
  };
}

export type OutboxJournal = ReturnType<typeof createOutboxJournal>;
