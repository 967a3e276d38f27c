import { ResultSchema, type Result } from "@grove/core";

/** The RESULT a run reported, re-validated (it is stored as text). */
export function parseResult(resultJson: string | null): Result | null {
  if (!resultJson) return null;
  try {
    const parsed = ResultSchema.safeParse(JSON.parse(resultJson));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function summaryOf(resultJson: string | null): string | null {
  return parseResult(resultJson)?.summary ?? null;
}
