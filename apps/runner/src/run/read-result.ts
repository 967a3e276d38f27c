import { ResultSchema, type Result } from "@grove/core";
import { readFile, stat } from "node:fs/promises";
import { z } from "zod";

const MAX_RESULT_BYTES = 1024 * 1024;

export type ResultRead = { result: Result | null; resultError: string | null };

/** Reads and validates the agent's RESULT. Missing or invalid is an outcome, never a throw. */
export async function readResult(path: string): Promise<ResultRead> {
  const info = await stat(path).catch(() => null);
  if (!info) return { result: null, resultError: `The agent wrote no RESULT (expected JSON at ${path}).` };
  if (!info.isFile()) return { result: null, resultError: `The RESULT path ${path} is not a file.` };
  if (info.size > MAX_RESULT_BYTES) {
    return { result: null, resultError: `The RESULT is ${info.size} bytes; the limit is ${MAX_RESULT_BYTES}.` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    return {
      result: null,
      resultError: `The RESULT is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const parsed = ResultSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      result: null,
      resultError: `The RESULT does not match the schema:\n${z.prettifyError(parsed.error)}`.slice(0, 10_000),
    };
  }
  return { result: parsed.data, resultError: null };
}

/**
 * A RESULT from the agent's own final answer (Claude's `result` event) when it wrote no file: a JSON
 * RESULT in the text (whole, or in a ```json block) if there is one, else the text as the summary.
 */
export function resultFromFinalAnswer(answer: { isError: boolean; text: string }): ResultRead {
  const candidates = [answer.text, ...[...answer.text.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)].map((m) => m[1] ?? "")];
  for (const candidate of candidates) {
    let raw: unknown;
    try {
      raw = JSON.parse(candidate);
    } catch {
      continue;
    }
    const parsed = ResultSchema.safeParse(raw);
    if (parsed.success) return { result: parsed.data, resultError: null };
  }
  const summary = answer.text.trim().slice(0, 10_000) || "(the agent's final answer was empty)";
  return { result: { status: answer.isError ? "failed" : "done", summary, learnings: [] }, resultError: null };
}
