import { open, rename, type FileHandle } from "node:fs/promises";
import { PRIVATE_FILE_MODE } from "@grove/core/private-files";
import { SEGMENT_BYTES } from "./spool-file.ts";

/**
 * How a spool forgets acknowledged lines: `head`, then the file's bytes from `from` up to `size`, go into a
 * new file that replaces it by a rename (atomically: a crash leaves either file). `file` stays open on the old one.
 */
export async function replaceWithTail(
  file: FileHandle,
  path: string,
  o: { head: string; from: number; size: number },
): Promise<void> {
  const tmpPath = `${path}.trim`;
  const tmp = await open(tmpPath, "w", PRIVATE_FILE_MODE);
  try {
    await tmp.write(o.head);
    const buffer = Buffer.alloc(SEGMENT_BYTES * 4);
    for (let at = o.from; at < o.size;) {
      const { bytesRead } = await file.read(buffer, 0, Math.min(buffer.length, o.size - at), at);
      if (bytesRead === 0) break;
      await tmp.write(buffer.subarray(0, bytesRead));
      at += bytesRead;
    }
  } finally {
    await tmp.close();
  }
  await rename(tmpPath, path);
}
