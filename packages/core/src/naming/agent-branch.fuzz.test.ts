import fc from "fast-check";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { DomainError } from "../errors/domain-error.ts";
import { runGit } from "../node/run-git.ts";
import { fuzzParameters } from "../test-support/fuzz.ts";
import { agentBranch, parseAgentBranch, validateNamePart, validateRefName } from "./agent-branch.ts";

// Mostly characters a ref may hold, often the ones git treats specially, sometimes anything at all.
const refChar = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(..."abcXYZ019_-") },
  { weight: 4, arbitrary: fc.constantFrom(..."./@{}~^:?*[]\\ \t\n\u0000\u007f", ".lock", "..", "@{", "//") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 2 }) },
);
const refLike = fc.array(refChar, { maxLength: 24 }).map((parts) => parts.join(""));
const anyString = fc.oneof(refLike, fc.string({ unit: "binary", maxLength: 300 }));

/** The outcome of a validator: the value it returned, or the DomainError it threw (anything else fails the property). */
function outcome(validate: () => string): { ok: true; value: string } | { ok: false } {
  try {
    return { ok: true, value: validate() };
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("INVALID_NAME");
    expect((error as DomainError).message.length).toBeGreaterThan(0);
    return { ok: false };
  }
}

/** What real git says of a full ref name. */
async function isValidForGit(ref: string): Promise<boolean> {
  const { exitCode } = await runGit(["check-ref-format", ref], { cwd: tmpdir(), okExitCodes: [0, 1] });
  return exitCode === 0;
}

describe("names (property)", () => {
  it("an agent or task name is returned as given, or refused with INVALID_NAME — never another error", () => {
    fc.assert(
      fc.property(anyString, (value) => {
        const result = outcome(() => validateNamePart("agent", value));
        if (!result.ok) return;
        expect(result.value).toBe(value);
        expect(value).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
        // Two accepted parts make a branch that the ref rules accept and that reads back as the same parts.
        const branch = agentBranch(value, value);
        expect(outcome(() => validateRefName(branch)).ok).toBe(true);
        expect(parseAgentBranch(branch)).toEqual({ agent: value, taskId: value });
      }),
      fuzzParameters(),
    );
  });

  it("a ref name is returned as given, or refused with INVALID_NAME — never another error", () => {
    fc.assert(
      fc.property(anyString, (value) => {
        const result = outcome(() => validateRefName(value));
        if (result.ok) expect(Buffer.byteLength(result.value)).toBeLessThanOrEqual(200 * 3);
      }),
      fuzzParameters(),
    );
  });

  it("every name grove accepts, real git accepts too (git check-ref-format)", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(refLike, refLike, async (ref, part) => {
        if (outcome(() => validateRefName(ref)).ok) {
          accepted++;
          expect(await isValidForGit(`refs/heads/${ref}`), ref).toBe(true);
        }
        if (outcome(() => validateNamePart("task id", part)).ok) {
          accepted++;
          expect(await isValidForGit(`refs/heads/${agentBranch(part, part)}`), part).toBe(true);
        }
      }),
      fuzzParameters(0.2),
    );
    // Not vacuous: the generator reaches names grove accepts.
    expect(accepted).toBeGreaterThan(0);
  });
});
