import { DomainError, parseYamlDocument, validateNamePart, validateRefName } from "@grove/core";
import { arbitraryYamlText, fuzzParameters, hasPlainPrototypes, toYamlText } from "@grove/core/test-support";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PlanSchema } from "./plan-file.ts";
import { assertSafeRunId } from "../run/run-paths.ts";

const name = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("demo", "claude", "fix-login", "t1", "a.b") },
  {
    weight: 1,
    arbitrary: fc.constantFrom("", "../x", "-rm", "a b", "x.lock", "a/b", "x".repeat(64), "x".repeat(65), "__proto__"),
  },
);
const task = fc.record(
  { agent: name, task: name, profile: name, prompt: fc.string({ maxLength: 20 }) },
  { requiredKeys: ["agent", "task"] },
);
// Close to a real plan file, so that many are accepted and the accepted ones get checked.
const plausible = fc
  .record(
    {
      session: fc.constantFrom("s1", "session-20261130-1200", "../up", "x".repeat(100), "a b"),
      integration: fc.constantFrom("main", "release/1.0", "-x", "a..b", "HEAD"),
      tasks: fc.array(task, { minLength: 0, maxLength: 4 }),
    },
    { requiredKeys: ["tasks"] },
  )
  .map((plan) => toYamlText(plan));
const text = fc.oneof(plausible, arbitraryYamlText(["session", "integration", "tasks", "agent", "task", "profile", "prompt"]));

describe("plan files (property)", () => {
  it("any text is a plan whose every name git and the run paths accept, or an INVALID_CONFIG error naming the file", () => {
    let accepted = 0;
    fc.assert(
      fc.property(text, (yaml) => {
        let plan;
        try {
          plan = parseYamlDocument(PlanSchema, yaml, "/work/plan.yaml");
        } catch (error) {
          expect(error).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe("INVALID_CONFIG");
          expect((error as DomainError).message).toMatch(/^\/work\/plan\.yaml /);
          return;
        }
        accepted++;
        expect(PlanSchema.safeParse(plan).success).toBe(true);
        expect(hasPlainPrototypes(plan)).toBe(true);
        // What the session does with the plan next cannot fail on a name the plan file gave.
        if (plan.integration !== undefined) validateRefName(plan.integration);
        const session = plan.session ?? "session-20261130-1200";
        assertSafeRunId(session);
        for (const t of plan.tasks) {
          validateNamePart("agent", t.agent);
          validateNamePart("task id", t.task);
          assertSafeRunId(`${session}-${t.agent}-${t.task}`);
        }
      }),
      fuzzParameters(0.5),
    );
    expect(accepted).toBeGreaterThan(0);
  });
});
