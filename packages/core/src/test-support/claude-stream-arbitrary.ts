import fc from "fast-check";

/**
 * One stdout line of Claude Code's `--output-format stream-json`, as fast-check generates it for every
 * property test of a reader of that stream (core's parser, the runner's renderer, the browser's rows): an
 * event mostly of the shape Claude Code sends, sometimes anything in a field, and sometimes a line that is no
 * JSON or JSON of something else. `texts` adds a reader's own awkward strings (escapes, markup, line breaks).
 */
export function claudeStreamLine(texts: readonly string[] = []): fc.Arbitrary<string> {
  const text = fc.oneof(
    fc.string({ unit: "binary", maxLength: 30 }),
    fc.constantFrom("a\nb", "\r\n", "", "__proto__", "x".repeat(400), ...texts),
  );
  const loose = fc.oneof(text, fc.jsonValue({ maxDepth: 2 }));
  /** Mostly of the type Claude Code sends, sometimes anything. */
  const mostly = <T>(typed: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: typed }, { weight: 1, arbitrary: loose });
  const block = fc.record(
    {
      type: fc.oneof(fc.constantFrom("text", "tool_use", "tool_result"), text),
      text: mostly(text),
      name: mostly(text),
      input: mostly(fc.dictionary(fc.constantFrom("command", "path", "file_path", "__proto__", "x"), loose)),
      content: mostly(fc.oneof(text, fc.array(fc.record({ type: text, text }), { maxLength: 2 }))),
      is_error: mostly(fc.boolean()),
    },
    { requiredKeys: ["type"] },
  );
  const event = fc.record(
    {
      type: fc.oneof(fc.constantFrom("system", "assistant", "user", "result"), text),
      subtype: fc.oneof(fc.constantFrom("init", "success", "error_max_turns"), text),
      model: mostly(text),
      session_id: mostly(text),
      tools: mostly(fc.array(loose, { maxLength: 3 })),
      message: mostly(fc.record({ content: fc.oneof(fc.array(block, { maxLength: 3 }), text) }, { requiredKeys: [] })),
      result: mostly(text),
      is_error: mostly(fc.boolean()),
      total_cost_usd: mostly(fc.double()),
      num_turns: mostly(fc.oneof(fc.integer(), fc.double())),
      duration_ms: mostly(fc.double()),
    },
    { requiredKeys: ["type"] },
  );
  return fc.oneof(
    { weight: 4, arbitrary: event.map((e) => JSON.stringify(e)) },
    // One stdout line: no line break outside JSON strings (inside them it arrives escaped).
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 60 }).map((s) => s.replace(/\n/g, " ")) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? "null") },
  );
}
