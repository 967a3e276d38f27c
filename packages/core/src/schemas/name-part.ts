import { z } from "zod";
import { MAX_NAME_PART, validateNamePart } from "../naming/agent-branch.ts";

/** Why validateNamePart refuses `value`, in its words (the CLI's); null when it takes it. */
export function describeNamePartRefusal(kind: "agent" | "task id", value: unknown): string | null {
  try {
    validateNamePart(kind, String(value));
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * An agent name or task id as a form sends it: trimmed, at most MAX_NAME_PART characters, a longer one refused
 * in validateNamePart's words. Its other rules are checked where the name is used (validateNamePart).
 */
export function namePartInput(kind: "agent" | "task id") {
  return z
    .string()
    .trim()
    .max(MAX_NAME_PART, { error: (issue) => describeNamePartRefusal(kind, issue.input) ?? undefined });
}
