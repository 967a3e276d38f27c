import fc, { type Arbitrary, type Parameters } from "fast-check";
import { stringify as stringifyYaml } from "yaml";

// `pnpm test` replays one fixed seed, so a red run is red again on every machine; `pnpm fuzz` sets
// GROVE_FUZZ_SEED to a fresh random seed (and prints it) and GROVE_FUZZ_RUNS to many more runs.
const FIXED_SEED = 20_261_130;
const DEFAULT_RUNS = 1000;

/**
 * fast-check settings for one property: GROVE_FUZZ_RUNS runs (default 1000) times `scale`, for properties
 * whose every case touches the file system or spawns a process; GROVE_FUZZ_SEED replays a failure.
 */
export function fuzzParameters<T>(scale = 1): Parameters<T> {
  const runs = Number(process.env.GROVE_FUZZ_RUNS ?? DEFAULT_RUNS);
  const seed = Number(process.env.GROVE_FUZZ_SEED ?? FIXED_SEED);
  return { seed, numRuns: Math.max(1, Math.round(runs * scale)) };
}

const yamlPunctuation = [
  ..."-:?[]{},&*!|>'\"#%@`\\ \t\n",
  "\r\n",
  "---",
  "...",
  "<<",
  "~",
  "null",
  "true",
  "0x1F",
  "1e400",
  ".inf",
  "\u0000",
  "\ufeff",
];

/**
 * Text a YAML parser may meet: documents built from JSON-like values under `keys` (a schema's own keys,
 * `__proto__` and friends), those documents cut short or spliced with YAML punctuation, and raw text.
 */
export function arbitraryYamlText(
  keys: readonly string[],
  leaf: Arbitrary<unknown> = fc.jsonValue({ maxDepth: 1 }),
): Arbitrary<string> {
  const key = fc.oneof(
    fc.constantFrom(...keys, "__proto__", "constructor", "toString", "prototype"),
    fc.string({ maxLength: 8 }),
  );
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(key, tie("value"), { maxKeys: 3 }),
    ),
  }));
  const document = fc.dictionary(key, value, { maxKeys: 6 }).map((doc) => stringifyYaml(doc));
  const spliced = fc.tuple(document, fc.nat(), fc.constantFrom(...yamlPunctuation)).map(([text, at, insert]) => {
    const cut = at % (text.length + 1);
    return text.slice(0, cut) + insert + text.slice(cut);
  });
  const cut = fc.tuple(document, fc.nat()).map(([text, at]) => text.slice(0, at % (text.length + 1)));
  const raw = fc
    .array(fc.oneof(fc.constantFrom(...yamlPunctuation, ...keys), fc.string({ unit: "binary", maxLength: 4 })), { maxLength: 40 })
    .map((parts) => parts.join(""));
  return fc.oneof(document, spliced, cut, raw);
}

/** True when no prototype anywhere in `value` is other than Object's, Array's or null, and no own `__proto__` key was given a meaning. */
export function hasPlainPrototypes(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return false;
  return Object.values(value).every(hasPlainPrototypes);
}

/** A value as YAML text, for packages that build YAML inputs without depending on a YAML library. */
export function toYamlText(value: unknown): string {
  return stringifyYaml(value);
}
