import { z } from "zod";

/**
 * The one definition of a log line's stored and sent form, the row `[stream, text, ts]` (or
 * `[stream, text, ts, kind]` for a row the runner rendered from an agent's events): the runner's spool
 * keeps it (with the line's seq in front), a `run:log` batch carries an array of them, the hub stores that
 * array as it came and its SQL reads fields by their index in the row (`LOG_ROW`). A line's seq is not in
 * the row: it is the row's position after the batch's or chunk's first seq. Node-free (the browser may use it).
 */

/** At most this many characters in one line: longer output is split into several lines by the runner. */
export const MAX_LOG_LINE_CHARS = 16_384;

export const LogStreamSchema = z.enum(["stdout", "stderr", "test", "system"]);
export type LogStream = z.infer<typeof LogStreamSchema>;

/**
 * What a row the runner rendered from an agent CLI's parsed events shows (log/claude-stream.ts,
 * log/codex-stream.ts): set by the runner, never read from the text, so nothing an agent prints (colour
 * codes and markers included) can make its own words look like a tool call or a final answer. A closed
 * list of short names: the hub refuses a row with any other.
 */
export const LogRowKindSchema = z.enum([
  "session",
  "message",
  "reasoning",
  "tool",
  "outcome",
  "error",
  "refused",
  "final",
  "failed",
]);
export type LogRowKind = z.infer<typeof LogRowKindSchema>;

export const LogLineSchema = z.object({
  seq: z.number().int().positive(),
  stream: LogStreamSchema,
  text: z.string().max(MAX_LOG_LINE_CHARS),
  ts: z.number().int().nonnegative(),
  kind: LogRowKindSchema.optional(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

/** Where each field sits in a row; SQL that reads a row's JSON (`value ->> 1`) takes its indexes from here. */
export const LOG_ROW = { stream: 0, text: 1, ts: 2, kind: 3 } as const;
export type LogRow = [stream: LogStream, text: string, ts: number, kind?: LogRowKind];

const LOG_STREAMS: ReadonlySet<unknown> = new Set(LogStreamSchema.options);
const LOG_ROW_KINDS: ReadonlySet<unknown> = new Set(LogRowKindSchema.options);

/** One line's row as JSON text; the kind only when the line has one. */
export function encodeLogRow(line: Pick<LogLine, "stream" | "text" | "ts" | "kind">): string {
  const row: LogRow = [line.stream, line.text, line.ts];
  if (line.kind !== undefined) row.push(line.kind);
  return JSON.stringify(row);
}

/**
 * A row's JSON text without its opening `[` (`"stdout","text",1700000000000]`): what the runner makes of each
 * line it gets, once, and keeps from its spool to the hub. Byte for byte `encodeLogRow(…).slice(1)`.
 */
export function encodeLogRowTail(stream: LogStream, text: string, ts: number, kind?: LogRowKind): string {
  // One flat string (a slice of it shares its characters), not a concatenation of the fields: the spool joins
  // every row twice (for the file and for the hub), and a concatenation would be walked piece by piece each time.
  return JSON.stringify(kind === undefined ? [stream, text, ts] : [stream, text, ts, kind]).slice(1);
}

/** The JSON text of lines as they travel in a `run:log` batch and are stored: `[[stream, text, ts], …]`. */
export function encodeLogLines(lines: readonly LogLine[]): string {
  return `[${lines.map(encodeLogRow).join(",")}]`;
}

/**
 * Checks a decoded row as LogLineSchema would check its fields: null when it is a good row, else what is
 * wrong with it (the caller names the row).
 */
export function checkLogRow(row: unknown): string | null {
  if (!Array.isArray(row) || (row.length !== 3 && row.length !== 4))
    return "must be [stream, text, ts] or [stream, text, ts, kind]";
  const [stream, text, ts, kind] = row as unknown[];
  if (!LOG_STREAMS.has(stream)) return `stream must be one of ${LogStreamSchema.options.join(", ")}`;
  if (typeof text !== "string" || text.length > MAX_LOG_LINE_CHARS)
    return `text must be a string of at most ${MAX_LOG_LINE_CHARS} characters`;
  if (typeof ts !== "number" || !Number.isSafeInteger(ts) || ts < 0) return "ts must be a non-negative integer";
  if (row.length === 4 && !LOG_ROW_KINDS.has(kind)) return `kind must be one of ${LogRowKindSchema.options.join(", ")}`;
  return null;
}

/** The line a row checked by `checkLogRow` holds, as line `seq`. */
export function lineOfCheckedRow(row: unknown, seq: number): LogLine {
  const [stream, text, ts, kind] = row as LogRow;
  return kind === undefined ? { seq, stream, text, ts } : { seq, stream, text, ts, kind };
}

/**
 * The line a stored row holds, read without failing: rows were checked when they came in, so a field that
 * is not what it should be (a damaged database) reads as a `system` line, empty text or ts 0, not an error.
 */
export function readStoredLogRow(row: unknown, seq: number): LogLine {
  const [stream, text, ts, kind] = Array.isArray(row) ? (row as unknown[]) : [];
  const line: LogLine = { seq, stream: readStoredStream(stream), text: readStoredText(text), ts: Number(ts ?? 0) };
  // A kind that is none of the list (a damaged database) reads as no kind: the row shows as the text it is.
  return LOG_ROW_KINDS.has(kind) ? { ...line, kind: kind as LogRowKind } : line;
}

/** The lines of a batch's rows as `encodeLogLines` writes them, line `firstSeq` first, read as `readStoredLogRow` reads each (none when the text is not a JSON array). */
export function readStoredLogLines(rows: string, firstSeq: number): LogLine[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rows);
  } catch {
    return [];
  }
  return Array.isArray(parsed) ? parsed.map((row: unknown, i) => readStoredLogRow(row, firstSeq + i)) : [];
}

export function readStoredStream(value: unknown): LogStream {
  return LOG_STREAMS.has(value) ? (value as LogStream) : "system";
}

export function readStoredText(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/**
 * A row with its line's seq in front, `[seq, stream, text, ts]`: the runner's spool keeps one per file line,
 * so that cutting off the seq (`cutSeqRow`) gives the row as sent, never decoding and encoding it again.
 */
export function encodeSeqRow(seq: number, row: string): string {
  return `[${seq},${row.slice(1)}`;
}

/** The seq and the row of a seq row, cut without decoding it; null when it cannot be cut so. */
export function cutSeqRow(raw: string): { seq: number; row: string } | null {
  const comma = raw.indexOf(",");
  const seq = Number(raw.slice(1, comma));
  if (!raw.startsWith("[") || comma === -1 || !Number.isSafeInteger(seq)) return null;
  return { seq, row: `[${raw.slice(comma + 1)}` };
}

/** The line a decoded seq row holds, checked in full; null when it is no such row. */
export function decodeSeqRow(value: unknown): LogLine | null {
  if (!Array.isArray(value) || (value.length !== 4 && value.length !== 5)) return null;
  const [seq, ...row] = value as unknown[];
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1 || checkLogRow(row) !== null) return null;
  return lineOfCheckedRow(row, seq);
}
