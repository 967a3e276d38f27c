import { open, readFile } from "node:fs/promises";

// Reading a runner's spool files from a test, as they are on disk: line rows `[seq, stream, text, ts]`
// and checkpoint rows `{"checkpoint": …}` between them.

/** The seq of a spool's first line; null while it has none. */
export async function firstSpooledSeq(spoolPath: string): Promise<number | null> {
  const file = await open(spoolPath, "r").catch(() => null);
  if (!file) return null;
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    const row = buffer
      .subarray(0, bytesRead)
      .toString("utf8")
      .split("\n")
      .find((r) => r.startsWith("["));
    return row ? Number(row.slice(1, row.indexOf(","))) : null;
  } finally {
    await file.close();
  }
}

/** The seq of a spool's last complete line (0 while it has none). */
export async function lastSpooledSeq(spoolPath: string): Promise<number> {
  const rows = (await readTail(spoolPath)).split("\n").slice(0, -1);
  const row = rows.reverse().find((r) => r.startsWith("["));
  return row ? Number(row.slice(1, row.indexOf(","))) : 0;
}

/** Every line in a spool file: `[seq, stream, text, ts]` rows. */
export async function readSpooledLines(spoolPath: string): Promise<{ seq: number; stream: string; text: string; ts: number }[]> {
  return (await readFile(spoolPath, "utf8"))
    .split("\n")
    .filter((row) => row.startsWith("["))
    .map((row) => {
      const [seq, stream, text, ts] = JSON.parse(row) as [number, string, string, number];
      return { seq, stream, text, ts };
    });
}

/** The last 16 KB of a file ("" when it does not exist). */
export async function readTail(path: string): Promise<string> {
  const file = await open(path, "r").catch(() => null);
  if (!file) return "";
  try {
    const { size } = await file.stat();
    const buffer = Buffer.alloc(Math.min(size, 16 * 1024));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, size - buffer.length);
    return buffer.subarray(0, bytesRead).toString("utf8");
  } finally {
    await file.close();
  }
}
