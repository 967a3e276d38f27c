import { readResultText, resultJsonSchema, type Result } from "@grove/core";
import { readFile, stat, writeFile } from "node:fs/promises";
import type { ClaudeFinal } from "../log/claude-stream.ts";
import { readResult, resultFromFinalAnswer } from "./read-result.ts";

const MAX_LAST_MESSAGE_BYTES = 1024 * 1024;
const PRIVATE_FILE_MODE = 0o600;

/** Where a run's RESULT came from: what the run says, and the audit records. */
export type ResultSource = "last-message" | "result-file" | "final-answer" | "none";
export type AgentResult = {
  result: Result | null;
  resultError: string | null;
  source: ResultSource;
  /** What the log says about it, one entry a line of thought (the why of the source). */
  notes: string[];
};

/** RESULT's JSON Schema, for a profile's `{resultSchema}` (Codex's --output-schema): written before each agent starts. */
export async function writeResultSchema(path: string): Promise<void> {
  await writeFile(path, `${JSON.stringify(resultJsonSchema(), null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
}

/**
 * The run's RESULT, from the best source there is. First the agent's last message as its CLI wrote it to
 * `{lastMessage}` (Codex's --output-last-message, its model held to RESULT's schema by --output-schema); then
 * the RESULT file the CONTEXT-PACK asks for; then, when neither holds one, the final answer on the agent's
 * output (Claude's `result` event, Codex's last message) as a RESULT of last resort. A last message that is
 * JSON but not a RESULT is an error of its own: the final answer is that same message, so it cannot stand in.
 */
export async function readAgentResult(
  paths: { result: string; lastMessage: string },
  finalAnswer: ClaudeFinal | null | undefined,
): Promise<AgentResult> {
  const notes: string[] = [];
  const lastMessage = await readLastMessage(paths.lastMessage);
  if (lastMessage?.result) {
    notes.push(`RESULT read from the agent's last message (${paths.lastMessage}), written by its CLI.`);
    return { result: lastMessage.result, resultError: null, source: "last-message", notes };
  }
  if (lastMessage) notes.push(`The agent's last message (${paths.lastMessage}) is no RESULT: ${lastMessage.error}`);
  const fromFile = await readResult(paths.result);
  if (fromFile.result) {
    notes.push(`RESULT read from ${paths.result}.`);
    return { ...fromFile, source: "result-file", notes };
  }
  if (lastMessage?.isJson) {
    const resultError = `${fromFile.resultError ?? ""} The agent's last message (${paths.lastMessage}) is JSON but no RESULT: ${lastMessage.error}`;
    return { result: null, resultError: resultError.trim().slice(0, 10_000), source: "none", notes: [] };
  }
  if (finalAnswer) {
    notes.push(`${fromFile.resultError} Using the agent's final answer as its RESULT instead.`);
    return { ...resultFromFinalAnswer(finalAnswer), source: "final-answer", notes };
  }
  return { result: null, resultError: fromFile.resultError, source: "none", notes };
}

type LastMessage = { result: Result; error: null; isJson: true } | { result: null; error: string; isJson: boolean };

/** The last message file, read as a RESULT; null when the CLI wrote none (or the profile asks for none). */
async function readLastMessage(path: string): Promise<LastMessage | null> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) return null;
  if (info.size > MAX_LAST_MESSAGE_BYTES)
    return { result: null, isJson: false, error: `it is ${info.size} bytes; the limit is ${MAX_LAST_MESSAGE_BYTES}.` };
  const read = readResultText((await readFile(path, "utf8")).trim());
  return read.result ? { result: read.result, error: null, isJson: true } : read;
}
