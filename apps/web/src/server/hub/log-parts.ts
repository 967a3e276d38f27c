import type { LogLine } from "@grove/core";

/** Consecutive parts of a batch with at most `maxChars` characters of text each (a longer line goes alone). */
export function partsOf(lines: LogLine[], maxChars: number): LogLine[][] {
  const parts: LogLine[][] = [];
  let part: LogLine[] = [];
  let chars = 0;
  for (const line of lines) {
    if (part.length > 0 && chars + line.text.length > maxChars) {
      parts.push(part);
      part = [];
      chars = 0;
    }
    part.push(line);
    chars += line.text.length;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
