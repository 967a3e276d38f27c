import { z } from "zod";
import { IdSchema } from "./ids.ts";
import { checkLogRow, lineOfCheckedRow, type LogLine } from "./log-row.ts";

// The `run:log` batch: how a runner ships a run's log lines to the hub, and how the hub checks them.

const id = IdSchema;

/** At most this many lines travel in one `run:log` batch. */
export const MAX_LOG_BATCH_LINES = 5000;
/**
 * At most this many characters (or UTF-8 bytes) of JSON in one `run:log` batch. Over HTTP long-polling the
 * bytes travel as base64 (4/3 as many), which still fits MAX_SOCKET_MESSAGE_BYTES; the runner ships batches
 * of 512 KiB.
 */
export const MAX_LOG_BATCH_CHARS = 1_000_000;

/**
 * One `run:log` batch from runner to hub: the lines with seq `firstSeq`, `firstSeq + 1`, … as the JSON text
 * of an array of `[stream, text, ts]`. That is the form the runner's spool keeps and the hub stores, so
 * neither side encodes or decodes objects line by line on the way (see `parseRunLogBatch`). The runner
 * sends that text as UTF-8 bytes: socket.io carries bytes as a binary frame, where a string would be
 * escaped into the packet's own JSON (every quote of every line) and unescaped again by the hub.
 */
export const RunLogBatchSchema = z.object({
  runId: id,
  firstSeq: z.number().int().positive(),
  lines: z.union([
    z.string().min(2).max(MAX_LOG_BATCH_CHARS),
    z
      .instanceof(Uint8Array)
      .refine(
        (bytes) => bytes.byteLength >= 2 && bytes.byteLength <= MAX_LOG_BATCH_CHARS,
        `must be 2 to ${MAX_LOG_BATCH_CHARS} bytes`,
      ),
  ]),
});
export type RunLogBatch = z.infer<typeof RunLogBatchSchema>;
/**
 * A runner asking where a run's stored log ends (its watermark), answered as a `run:log` ack is: before a
 * restarted runner gives a run new lines, it continues the run's seq from there, and resends its spool from there.
 */
export const RunLogWatermarkSchema = z.object({ runId: id });
/** A checked batch: its lines, and `body`, their JSON text exactly as received (valid, normal form). */
export type ParsedLogBatch = { runId: string; lines: LogLine[]; body: string };

// Invalid UTF-8 becomes U+FFFD, as the runner's own decoding of agent output does.
const utf8 = new TextDecoder();

/**
 * Checks a `run:log` payload all the way down: the envelope as RunLogBatchSchema, then every line as
 * LogLineSchema would (1 to MAX_LOG_BATCH_LINES lines, each exactly `[stream, text, ts]` or `[stream, text, ts, kind]`). The error names
 * the first offending line.
 */
export function parseRunLogBatch(payload: unknown): { success: true; data: ParsedLogBatch } | { success: false; error: string } {
  const envelope = RunLogBatchSchema.safeParse(payload);
  if (!envelope.success) return { success: false, error: z.prettifyError(envelope.error) };
  const { runId, firstSeq, lines: text } = envelope.data;
  const body = typeof text === "string" ? text : utf8.decode(text);
  let decoded: unknown;
  try {
    decoded = JSON.parse(body);
  } catch {
    return { success: false, error: "lines is not valid JSON" };
  }
  if (!Array.isArray(decoded) || decoded.length < 1 || decoded.length > MAX_LOG_BATCH_LINES) {
    return { success: false, error: `lines must be a JSON array of 1 to ${MAX_LOG_BATCH_LINES} lines` };
  }
  if (!Number.isSafeInteger(firstSeq + decoded.length)) return { success: false, error: "firstSeq is too large" };
  const lines: LogLine[] = new Array<LogLine>(decoded.length);
  for (let i = 0; i < decoded.length; i++) {
    const problem = checkLogRow(decoded[i]);
    if (problem !== null) return { success: false, error: `lines.${i} ${problem}` };
    lines[i] = lineOfCheckedRow(decoded[i], firstSeq + i);
  }
  return { success: true, data: { runId, lines, body } };
}
