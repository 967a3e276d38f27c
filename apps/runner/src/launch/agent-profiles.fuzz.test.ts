import { DomainError, parseGroveConfig } from "@grove/core";
import { fuzzParameters } from "@grove/core/test-support";
import { execFile } from "node:child_process";
import fc from "fast-check";
import { mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findProfile, resolveAgent } from "./agent-profiles.ts";

// A CLI with a strict option parser (node's util.parseArgs, as commander or clap): what it took as options, and as text.
const PROBE_CLI = `
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
const { values, positionals } = parseArgs({ options: { "dangerously-skip-permissions": { type: "boolean" } }, allowPositionals: true, strict: true });
writeFileSync(process.env.PROBE_OUT, JSON.stringify({ values, positionals }));
`;

let dir: string;
let probe: string;
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "grove-profile-fuzz-")));
  probe = join(dir, "probe-cli.mjs");
  await writeFile(probe, PROBE_CLI);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function refusal(run: () => unknown): DomainError | null {
  try {
    run();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("INVALID_INPUT");
    return error as DomainError;
  }
}

const prompt = fc.oneof(
  fc.constantFrom(
    "--dangerously-skip-permissions",
    "-",
    "--",
    "-x",
    "--help",
    "fix the login page",
    "{result}",
    "a\u0000b",
    "é".repeat(40),
  ),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ maxLength: 10 }).map((s) => `--${s}`),
);
// Where a user profile puts the prompt: alone, glued into a longer argument, after "--" or not, more than once.
const template = fc
  .array(fc.constantFrom("--", "{prompt}", "text", "{prompt} / {prompt}", "{contextPack}", "x{prompt}"), {
    minLength: 1,
    maxLength: 4,
  })
  .filter((args) => args.some((a) => a.includes("{prompt}")));
const profileName = fc.oneof(
  fc.constantFrom(
    "demo",
    "claude",
    "codex",
    "aider",
    "mine",
    "constructor",
    "toString",
    "__proto__",
    "hasOwnProperty",
    "valueOf",
    "",
  ),
  fc.string({ maxLength: 12 }),
);

describe("agent profiles and prompts (property)", () => {
  it("any profile name is an own profile, or refused with INVALID_INPUT (never something of Object.prototype)", () => {
    const config = parseGroveConfig(
      "agents:\n  mine:\n    command: [echo, '{prompt}']\n  constructor:\n    command: [echo, one]\n",
    );
    fc.assert(
      fc.property(profileName, (name) => {
        let profile;
        if (refusal(() => (profile = findProfile(name, config)))) return;
        expect(Array.isArray(profile && (profile as { command: unknown }).command)).toBe(true);
      }),
      fuzzParameters(),
    );
  });

  it("any prompt reaches a strict CLI as text, never as an option, or is refused before anything runs", async () => {
    let launched = 0;
    await fc.assert(
      fc.asyncProperty(template, prompt, async (args, text) => {
        const config = parseGroveConfig(
          `agents:\n  probe:\n    command: ${JSON.stringify([process.execPath, probe, ...args])}\n`,
        );
        let argv: string[] = [];
        if (
          refusal(
            () =>
              (argv = resolveAgent("probe", config, {
                prompt: text,
                contextPack: "/run/pack.md",
                result: "/run/result.json",
                runDir: "/run",
                resultSchema: "/run/result-schema.json",
                lastMessage: "/run/last-message.json",
              }).argv),
          )
        )
          return;
        launched++;
        const out = join(dir, `probe-${launched}.json`);
        const [program, ...rest] = argv;
        await promisify(execFile)(program ?? "", rest, { env: { PROBE_OUT: out } });
        const seen = JSON.parse(await readFile(out, "utf8")) as { values: Record<string, unknown>; positionals: string[] };
        expect(seen.values).toEqual({});
        // Every argument after the script, the prompt in each, arrives as text ("--" itself is parseArgs' own).
        const expected = args.filter((a, i) => !(a === "--" && !args.slice(0, i).includes("--")));
        expect(seen.positionals).toEqual(
          expected.map((a) => a.replaceAll("{prompt}", text).replaceAll("{contextPack}", "/run/pack.md")),
        );
      }),
      fuzzParameters(0.03),
    );
    expect(launched).toBeGreaterThan(0);
  });
});
