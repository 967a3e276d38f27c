import { z } from "zod";
import { ResultSchema, type Result } from "./result.ts";

/**
 * grove's RESULT as a JSON Schema a model API can hold its final answer to (Codex's `--output-schema`, sent
 * as the Responses API's `text.format` json_schema, strict). Strict structured outputs take only objects
 * whose every property is required and that allow no other: a field RESULT leaves optional is required here
 * but may be null, and `readResultText` reads a null as the field left out. Defaults are dropped (a strict
 * schema has none); the limits stay, and RESULT is checked against ResultSchema itself when it is read.
 */
export function resultJsonSchema(): Record<string, unknown> {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(ResultSchema, { io: "input" }) as Record<string, unknown>;
  return toStrict(schema);
}

function toStrict(node: unknown): Record<string, unknown> {
  if (!isObject(node)) return {};
  const { default: _default, ...rest } = node;
  const out: Record<string, unknown> = { ...rest };
  if (isObject(rest.items)) out.items = toStrict(rest.items);
  if (rest.type === "object" && isObject(rest.properties)) {
    const required = new Set(Array.isArray(rest.required) ? rest.required : []);
    out.properties = Object.fromEntries(
      Object.entries(rest.properties).map(([key, value]) => {
        const strict = toStrict(value);
        return [key, required.has(key) ? strict : { anyOf: [strict, { type: "null" }] }];
      }),
    );
    out.required = Object.keys(rest.properties);
    out.additionalProperties = false;
  }
  return out;
}

export type ResultText = { result: Result; error: null } | { result: null; error: string; isJson: boolean };

/**
 * A RESULT from text that should be one (a model's final answer held to `resultJsonSchema`): null fields
 * read as left out (RESULT has no field that may be null), then checked against ResultSchema. `isJson` says
 * whether the text was JSON at all, or prose.
 */
export function readResultText(text: string): ResultText {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { result: null, isJson: false, error: `it is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = ResultSchema.safeParse(withoutNulls(raw));
  if (parsed.success) return { result: parsed.data, error: null };
  return { result: null, isJson: true, error: `it does not match the RESULT schema:\n${z.prettifyError(parsed.error)}` };
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== null)
      .map(([key, field]) => [key, withoutNulls(field)]),
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
