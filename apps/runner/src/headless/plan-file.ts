import { formatSessionId, PromptSchema, SessionBudgetSchema, validateNamePart, validateRefName } from "@grove/core";
import { z } from "zod";
import { assertSafeRunId, MAX_RUN_ID } from "../run/run-paths.ts";

// The plan file of `grove session run --plan`: parsed once, where the file is read; the session takes the result.

/** A zod check made of one of grove's own validators: the plan is refused with the rule it broke, key named. */
const checkedBy = (validate: (value: string) => unknown) => (value: string, ctx: z.RefinementCtx) => {
  try {
    validate(value);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
  }
};

/** A session id names the session's folder and starts its run ids: the run id's rules, said of a session. */
function assertSafeSessionId(value: string): void {
  if (value.length === 0) throw new Error("Invalid session: it is empty.");
  if (value.length > 100) throw new Error("Invalid session: it is longer than 100 characters.");
  try {
    assertSafeRunId(value);
  } catch {
    throw new Error(
      `Invalid session "${value.slice(0, 80)}": only ASCII letters, digits, '.', '_' and '-' are allowed, starting with a letter or digit.`,
    );
  }
}

/** A plan file (`grove session run --plan plan.yaml`), once its YAML is read. */
export const PlanSchema = z
  .strictObject({
    session: z.string().superRefine(checkedBy(assertSafeSessionId)).optional(),
    integration: z.string().min(1).max(200).superRefine(checkedBy(validateRefName)).optional(),
    /** The session's budget; without one, grove.yaml's `budget` applies. */
    budget: SessionBudgetSchema.optional(),
    tasks: z
      .array(
        z.strictObject({
          // grove's own check alone: it words the length and every other rule (zod's would say it twice).
          agent: z.string().superRefine(checkedBy((v) => validateNamePart("agent", v))),
          task: z.string().superRefine(checkedBy((v) => validateNamePart("task id", v))),
          /** The agent profile to run; by default the one named like the agent (as on the dashboard). */
          profile: z.string().min(1).max(64).optional(),
          prompt: PromptSchema.default(""),
        }),
      )
      .min(1)
      .max(50)
      .refine((tasks) => new Set(tasks.map((t) => `${t.agent}/${t.task}`)).size === tasks.length, {
        // Two tasks of one agent and task id would share one branch, worktree and run.
        message: "each task needs its own agent/task pair: the same one twice would share one branch and worktree",
      }),
  })
  .superRefine((plan, ctx) => {
    // Each task's run id (`<session>-<agent>-<task>`) names its files: checked now, before anything is created.
    const session = plan.session ?? formatSessionId(new Date());
    plan.tasks.forEach((t, i) => {
      const runId = `${session}-${t.agent}-${t.task}`;
      if (runId.length > MAX_RUN_ID) {
        ctx.addIssue({
          code: "custom",
          path: ["tasks", i],
          message: `its run id "${runId.slice(0, 80)}…" is longer than ${MAX_RUN_ID} characters: shorten the session, agent or task`,
        });
      }
    });
  });
export type Plan = z.infer<typeof PlanSchema>;
