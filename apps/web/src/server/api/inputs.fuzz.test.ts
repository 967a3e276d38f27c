import { fuzzParameters } from "@grove/core/test-support";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import superjson from "superjson";
import { trpcBodyLimit } from "../body-limit.ts";
import { appRouter } from "./root.ts";

/*
 * Every tRPC procedure's input parser, found by walking the router (a procedure added later is covered
 * too). The walk reads zod's own description of each schema (`_zod.def`, `_zod.bag`).
 */

type Check = {
  _zod: { def: { check: string; minimum?: number; maximum?: number; value?: number; format?: string; pattern?: RegExp } };
};
type Schema = { _zod: { def: Def }; safeParse(value: unknown): { success: boolean } };
type Def = {
  type: string;
  checks?: Check[];
  format?: string;
  pattern?: RegExp;
  shape?: Record<string, Schema>;
  innerType?: Schema;
  element?: Schema;
  valueType?: Schema;
  options?: Schema[];
  entries?: Record<string, string | number>;
  values?: unknown[];
  in?: Schema;
};

type Bounds = { minimum?: number; maximum?: number; format?: string; pattern?: RegExp };
/** A string's or array's length bounds, a number's range, a string's format, as its checks declare them. */
function boundsOf(schema: Schema): Bounds {
  const { def } = schema._zod;
  const bounds: Bounds = { format: def.format, pattern: def.pattern };
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === "max_length" || c.check === "less_than") bounds.maximum = c.maximum ?? c.value;
    else if (c.check === "min_length" || c.check === "greater_than") bounds.minimum = c.minimum ?? c.value;
    else if (c.check === "string_format") {
      bounds.format = c.format;
      bounds.pattern = c.pattern;
    }
  }
  return bounds;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && "_zod" in value && "safeParse" in value;
}

const procedures = Object.entries(
  appRouter._def.procedures as unknown as Record<string, { _def: { inputs: unknown[] } }>,
).flatMap(([path, procedure]) => procedure._def.inputs.filter(isSchema).map((schema) => ({ path, schema })));

/** Values close to what the schema accepts (every optional key present), so that one part can be made too big. */
function plausible(schema: Schema): fc.Arbitrary<unknown> {
  const { def } = schema._zod;
  const bag = boundsOf(schema);
  switch (def.type) {
    case "string": {
      if (bag.format === "email") return fc.constant("someone@example.com");
      if (bag.format === "url") return fc.constant("https://push.example.com/endpoint");
      const min = bag.minimum ?? 0;
      if (bag.pattern)
        return fc
          .stringMatching(bag.pattern, { size: "large" })
          .filter((text) => text.length >= min && text.length <= (bag.maximum ?? Infinity));
      return fc.string({
        unit: fc.constantFrom(..."abcdefghij0123456789"),
        minLength: min,
        maxLength: Math.max(min, Math.min(bag.maximum ?? 20, 20)),
      });
    }
    case "number":
      return fc.integer({ min: Math.max(bag.minimum ?? 0, -1e9), max: Math.min(bag.maximum ?? 1e9, 1e9) });
    case "boolean":
      return fc.boolean();
    case "enum":
      return fc.constantFrom(...Object.values(def.entries ?? {}));
    case "literal":
      return fc.constantFrom(...(def.values ?? [null]));
    case "optional":
    case "default":
    case "nullable":
    case "readonly":
      return def.innerType ? plausible(def.innerType) : fc.constant(undefined);
    case "pipe":
      return def.in ? plausible(def.in) : fc.jsonValue();
    case "object":
      return fc.record(Object.fromEntries(Object.entries(def.shape ?? {}).map(([key, value]) => [key, plausible(value)])));
    case "array":
      return def.element
        ? fc.array(plausible(def.element), {
            minLength: Math.max(1, bag.minimum ?? 0),
            maxLength: Math.max(1, bag.minimum ?? 0, 3),
          })
        : fc.constant([]);
    case "record":
      return def.valueType
        ? fc.dictionary(fc.constant("key"), plausible(def.valueType), { minKeys: 1, maxKeys: 1 })
        : fc.constant({});
    case "union":
      return fc.oneof(...(def.options ?? []).map(plausible));
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

// A string no max bounds is probed at this many bytes of UTF-8 (a prompt is bounded in bytes by a refinement).
const UNBOUNDED_PROBE_BYTES = 100_000;

/** Inputs as large as the schema lets any part be: strings at their most, in characters that JSON escapes worst or best. */
function largest(schema: Schema): fc.Arbitrary<unknown> {
  const { def } = schema._zod;
  const bag = boundsOf(schema);
  switch (def.type) {
    case "string": {
      if (bag.format !== undefined || bag.pattern !== undefined) return plausible(schema);
      // No whitespace: a trimmed field of spaces alone is refused for being empty, not for its size.
      return fc.constantFrom("a", "é", "🌳", '"', "\\", "\u0001").map((c) => {
        const count =
          bag.maximum === undefined
            ? Math.floor(UNBOUNDED_PROBE_BYTES / Buffer.byteLength(c))
            : Math.floor(bag.maximum / c.length);
        return c.repeat(Math.max(bag.minimum ?? 0, count));
      });
    }
    case "optional":
    case "nullable":
    case "readonly":
      return def.innerType ? largest(def.innerType) : fc.constant(undefined);
    case "pipe":
      return def.in ? largest(def.in) : fc.jsonValue();
    case "object":
      return fc.record(Object.fromEntries(Object.entries(def.shape ?? {}).map(([key, value]) => [key, largest(value)])));
    case "array": {
      const items = bag.maximum ?? 1;
      return def.element ? fc.array(largest(def.element), { minLength: items, maxLength: items }) : fc.constant([]);
    }
    default:
      return plausible(schema);
  }
}

type Step = string | { each: true };
/** Every string, array and record an input holds, as paths into it ("each" steps into array items and record values). */
function growablePaths(schema: Schema, at: Step[] = []): { path: Step[]; kind: "string" | "array" | "record" }[] {
  const { def } = schema._zod;
  switch (def.type) {
    case "string":
      return [{ path: at, kind: "string" }];
    case "optional":
    case "default":
    case "nullable":
    case "readonly":
      return def.innerType ? growablePaths(def.innerType, at) : [];
    case "pipe":
      return def.in ? growablePaths(def.in, at) : [];
    case "object":
      return Object.entries(def.shape ?? {}).flatMap(([key, value]) => growablePaths(value, [...at, key]));
    case "array":
      return [{ path: at, kind: "array" }, ...(def.element ? growablePaths(def.element, [...at, { each: true }]) : [])];
    case "record":
      return [{ path: at, kind: "record" }, ...(def.valueType ? growablePaths(def.valueType, [...at, { each: true }]) : [])];
    case "union":
      return (def.options ?? []).flatMap((option) => growablePaths(option, at));
    default:
      return [];
  }
}

// Far past any bound a dashboard input needs: a parser that takes this is unbounded.
const HUGE_CHARS = 1_000_000;
const HUGE_ITEMS = 100_000;

/** `value` with the part at `path` replaced by an oversized one of `kind`. */
function grow(value: unknown, path: Step[], kind: "string" | "array" | "record"): unknown {
  const [step, ...rest] = path;
  if (step === undefined) {
    if (kind === "string") return "x".repeat(HUGE_CHARS);
    const item: unknown = Array.isArray(value)
      ? (value as unknown[])[0]
      : typeof value === "object" && value !== null
        ? Object.values(value)[0]
        : null;
    if (kind === "array") return Array.from({ length: HUGE_ITEMS }, () => item);
    return Object.fromEntries(Array.from({ length: HUGE_ITEMS }, (_, i) => [`k${i}`, item]));
  }
  if (typeof step === "object") {
    if (Array.isArray(value)) return value.map((item) => grow(item, rest, kind));
    if (typeof value === "object" && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, grow(v, rest, kind)]));
    return value;
  }
  const object = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  return { ...object, [step]: grow(object[step], rest, kind) };
}

const describePath = (path: Step[]) => path.map((step) => (typeof step === "string" ? step : "*")).join(".") || "(input)";

describe("tRPC inputs (property)", () => {
  it("finds the procedures' input parsers", () => {
    expect(procedures.length).toBeGreaterThan(30);
  });

  it.each(procedures)("$path: a string, array or record far past any sane size is refused wherever it is", ({ path, schema }) => {
    const parts = growablePaths(schema);
    if (parts.length === 0) return;
    let acceptedBases = 0;
    fc.assert(
      fc.property(plausible(schema), fc.constantFrom(...parts), (input, part) => {
        // Grown from an input the parser takes, so that a refusal is the size's doing.
        if (!schema.safeParse(input).success) return;
        acceptedBases++;
        const grown = grow(input, part.path, part.kind);
        expect(
          schema.safeParse(grown).success,
          `${path} accepted a ${part.kind} of ${part.kind === "string" ? HUGE_CHARS : HUGE_ITEMS} at ${describePath(part.path)}`,
        ).toBe(false);
      }),
      fuzzParameters(0.02),
    );
    expect(acceptedBases, `${path}: no generated input was accepted`).toBeGreaterThan(0);
  });

  it.each(procedures)("$path: the largest input its parser accepts fits the HTTP body limit of its route", ({ path, schema }) => {
    const limit = trpcBodyLimit(`/api/trpc/${path}`);
    let accepted = 0;
    fc.assert(
      fc.property(largest(schema), (input) => {
        if (!schema.safeParse(input).success) return;
        accepted++;
        // As the dashboard's client sends it: superjson's { json } form.
        const bytes = Buffer.byteLength(JSON.stringify(superjson.serialize(input)));
        expect(bytes, `${path} accepts ${bytes} bytes; its route refuses bodies over ${limit}`).toBeLessThanOrEqual(limit);
      }),
      fuzzParameters(0.01),
    );
    expect(accepted, `${path}: no largest input was accepted`).toBeGreaterThan(0);
  });

  it.each(procedures)("$path: any JSON is accepted or refused by the parser, never a throw", ({ schema }) => {
    fc.assert(
      fc.property(fc.oneof(plausible(schema), fc.jsonValue({ maxDepth: 3 }), fc.anything({ maxDepth: 2 })), (input) => {
        expect(typeof schema.safeParse(input).success).toBe("boolean");
      }),
      fuzzParameters(0.05),
    );
  });
});
