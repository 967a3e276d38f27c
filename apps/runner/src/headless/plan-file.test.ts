import { parseYamlDocument } from "@grove/core";
import { expect, it } from "vitest";
import { PlanSchema } from "./plan-file.ts";

const refusal = (yaml: string): string => {
  try {
    parseYamlDocument(PlanSchema, yaml, "plan.yaml");
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("the plan was accepted");
};

it("says what is wrong with a name once, in grove's words, with the key named", () => {
  const long = "t".repeat(70);
  const said = refusal(`tasks:\n  - { agent: demo, task: ${long}, prompt: hi }\n`);
  expect(said).toContain(`Invalid task id "${long}": it is longer than 64 characters.`);
  expect(said).toContain("→ at tasks[0].task");
  expect(said).not.toMatch(/Too big|expected string/);
  expect(refusal("tasks:\n  - { agent: '', task: t, prompt: hi }\n")).toContain('Invalid agent "": it is empty.');
});

it("calls a bad session a session, not a run id", () => {
  const said = refusal("session: 'my session'\ntasks:\n  - { agent: demo, task: t, prompt: hi }\n");
  expect(said).toContain(`Invalid session "my session": only ASCII letters, digits`);
  expect(said).not.toContain("run id");
  expect(refusal(`session: ${"s".repeat(101)}\ntasks:\n  - { agent: demo, task: t, prompt: hi }\n`)).toContain(
    "Invalid session: it is longer than 100 characters.",
  );
});
