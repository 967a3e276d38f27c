// How a stored LogChunk's JSON (an array of rows, as core's row codec writes them) is read: in SQL and in TypeScript.
import { LOG_ROW } from "@grove/core";

// A row's fields as SQL reads them from the chunk's JSON (json_each as `j`): the indexes come from core's row codec.
export const STREAM_OF = `j."value" ->> ${LOG_ROW.stream}`;
export const TEXT_OF = `j."value" ->> ${LOG_ROW.text}`;
export const TS_OF = `j."value" ->> ${LOG_ROW.ts}`;

/** A chunk's rows; none when its JSON is not an array. */
export function parseChunk(value: unknown): unknown[] {
  const parsed = parseJson(value);
  return Array.isArray(parsed) ? (parsed as unknown[]) : [];
}

/** Stored JSON as a value; null when it does not parse. */
export function parseJson(value: unknown): unknown {
  try {
    return JSON.parse(String(value));
  } catch {
    return null;
  }
}
