import { groupCpuTicks } from "@grove/core/node";
import { open, stat } from "node:fs/promises";

/**
 * How a CLI asks a person for an answer, at the end of its last line: "[y/N]", "(yes/no)", "(Y)es/(N)o",
 * "password:", "press enter". Deliberately narrow: a question in an agent's own words ("Shall I go on?")
 * is no sign of waiting, and a slow model leaves an agent silent and idle too.
 */
const KNOWN_PROMPT =
  /(\[(y|yes)\/(n|no)\]|\((y|yes)\/(n|no)\)|\(y\)es\/\(n\)o|password:|passphrase[^:]{0,40}:)[\s?:>[\]\w]{0,10}$|press (enter|return|any key)\b[^\n"{}]{0,40}$/i;
// Only the end of a line is matched: a profile's own pattern never runs over a long line.
const TAIL_CHARS = 200;
const TAIL_BYTES = 1_024;

/** Whether a line ends the way a CLI asks for input (grove's known prompts, or the profile's own). */
export function looksLikePrompt(line: string, declared?: RegExp): boolean {
  const end = line.trimEnd().slice(-TAIL_CHARS);
  return end !== "" && (KNOWN_PROMPT.test(end) || (declared?.test(end) ?? false));
}

/** The last line of a text with something in it, whether or not a newline ended it. */
export function lastLine(text: string): string {
  return (
    text
      .split(/\r?\n|\r/)
      .filter((line) => line.trim() !== "")
      .at(-1) ?? ""
  );
}

export type InputWatch = { stop(): void };

/**
 * Watches an agent for a wait on input that cannot come (its stdin is empty): once its output files have not
 * grown, and its process group has spent no CPU, for `quietMs`, while the last line of one of them (a prompt
 * needs no newline) looks like a question to a person, `onWaiting` is told that line, once.
 */
export function watchForInput(o: {
  pgid: number;
  files: () => string[];
  quietMs: number;
  prompt?: RegExp | undefined;
  onWaiting: (line: string) => void;
}): InputWatch {
  let last = "";
  let quietSince = Date.now();
  let isChecking = false;
  let isDone = false;
  const check = async () => {
    const files = o.files();
    const sizes = await Promise.all(
      files.map((path) =>
        stat(path).then(
          (s) => s.size,
          () => -1,
        ),
      ),
    );
    const now = `${sizes.join(",")}|${groupCpuTicks(o.pgid) ?? "?"}`;
    if (now !== last) {
      last = now;
      quietSince = Date.now();
      return;
    }
    if (Date.now() - quietSince < o.quietMs) return;
    for (const path of files) {
      const line = lastLine(await readTail(path));
      if (!looksLikePrompt(line, o.prompt)) continue;
      isDone = true;
      clearInterval(timer);
      o.onWaiting(line.trim().slice(-TAIL_CHARS));
      return;
    }
  };
  const timer = setInterval(
    () => {
      if (isChecking || isDone) return;
      isChecking = true;
      // A file that went away between calls is no reason to stop the run: the next tick looks again.
      void check()
        .catch(() => undefined)
        .finally(() => (isChecking = false));
    },
    Math.max(100, Math.min(5_000, o.quietMs / 4)),
  );
  timer.unref();
  return {
    stop() {
      isDone = true;
      clearInterval(timer);
    },
  };
}

async function readTail(path: string): Promise<string> {
  const file = await open(path, "r").catch(() => null);
  if (!file) return "";
  try {
    const { size } = await file.stat();
    const length = Math.min(size, TAIL_BYTES);
    const { buffer, bytesRead } = await file.read(Buffer.alloc(length), 0, length, size - length);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await file.close();
  }
}
