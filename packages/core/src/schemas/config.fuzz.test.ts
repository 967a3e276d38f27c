import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { DomainError } from "../errors/domain-error.ts";
import { arbitraryYamlText, fuzzParameters, hasPlainPrototypes } from "../test-support/fuzz.ts";
import { GroveConfigSchema, MAX_CONFIG_BYTES, parseGroveConfig } from "./config.ts";

const keys = [
  "integration",
  "brain",
  "worktrees",
  "layout",
  "setup",
  "test",
  "ports",
  "from",
  "to",
  "agents",
  "command",
  "env",
  "timeoutSec",
];
const profileName = fc.constantFrom("claude", "codex", "my-agent", "__proto__", "constructor", "toString", "hasOwnProperty", "");
const profile = fc.record(
  {
    command: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
    env: fc.dictionary(fc.constantFrom("A", "__proto__", "PATH"), fc.string({ maxLength: 5 })),
    timeoutSec: fc.integer({ min: -1, max: 5 }),
  },
  { requiredKeys: ["command"] },
);
// Close to a real grove.yaml, so that many cases are accepted and the accepted ones get checked.
const plausible = fc
  .record(
    {
      integration: fc.constantFrom("main", "dev/x", "-bad", "a..b", ""),
      layout: fc.constantFrom("sibling", "bare", "flat"),
      test: fc.constantFrom("pnpm test", "none", ""),
      ports: fc.record({ from: fc.integer({ min: 1000, max: 70_000 }), to: fc.integer({ min: 1000, max: 70_000 }) }),
      agents: fc.dictionary(profileName, profile, { maxKeys: 3 }),
    },
    { requiredKeys: [] },
  )
  .map((doc) => stringifyYaml(doc));
const text = fc.oneof(plausible, arbitraryYamlText(keys));

function agentNamesIn(text: string): string[] | null {
  try {
    const raw: unknown = parseYaml(text);
    const agents: unknown = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>).agents : undefined;
    return typeof agents === "object" && agents !== null && !Array.isArray(agents) ? Object.keys(agents) : null;
  } catch {
    return null;
  }
}

describe("grove.yaml (property)", () => {
  it("any text is a schema-valid config or an INVALID_CONFIG error naming the file — never another error, never a borrowed prototype", () => {
    let accepted = 0;
    fc.assert(
      fc.property(text, (yaml) => {
        let config;
        try {
          config = parseGroveConfig(yaml, "/repo/grove.yaml");
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe("INVALID_CONFIG");
          expect((error as DomainError).message).toMatch(/^\/repo\/grove\.yaml /);
          return;
        }
        accepted++;
        expect(GroveConfigSchema.safeParse(config).success).toBe(true);
        expect(hasPlainPrototypes(config)).toBe(true);
        // Every profile the file names is there (or the file was refused): none is dropped without a word.
        expect(Object.keys(config.agents).sort()).toEqual((agentNamesIn(yaml) ?? []).sort());
        expect(({} as Record<string, unknown>).command).toBeUndefined();
      }),
      fuzzParameters(0.5),
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it(`refuses a file over ${MAX_CONFIG_BYTES} bytes before parsing it`, () => {
    const big = `test: pnpm test\n# ${"é".repeat(MAX_CONFIG_BYTES / 2)}\n`;
    expect(() => parseGroveConfig(big)).toThrow(/grove\.yaml is larger than 262144 bytes/);
    expect(parseGroveConfig(`test: pnpm test\n# ${"x".repeat(1000)}\n`).test).toBe("pnpm test");
  });
});
