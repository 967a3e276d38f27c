import { z } from "zod";
import { SessionBudgetSchema } from "../agent-events/session-budget.ts";
import { AdmissionConfigSchema } from "./admission-config.ts";
import { isValidBrainDir } from "../merge/brain-policy.ts";
import { validateRefName } from "../naming/agent-branch.ts";
import { parseYamlDocument } from "./yaml-document.ts";

/**
 * A map keyed by names written in grove.yaml. zod drops a `__proto__` key without a word (it cannot be
 * an own key of the object zod builds), so a profile of that name would silently not exist: refused here.
 */
function namedRecord<T extends z.ZodType>(value: T, what: string) {
  return z.preprocess(
    (raw, ctx) => {
      if (typeof raw === "object" && raw !== null && Object.hasOwn(raw, "__proto__")) {
        ctx.addIssue({ code: "custom", message: `"__proto__" cannot name ${what}; choose another name`, input: raw });
      }
      return raw;
    },
    z.record(z.string(), value),
  );
}

const RESUME_PLACEHOLDER = "{resumeSessionId}";

const AgentProfileFields = z
  .strictObject({
    /** Absent in grove.yaml: the entry adjusts the built-in profile of its name (its other keys win, `env` merged). */
    command: z.array(z.string()).min(1).optional(),
    /**
     * The argv of a later review round that resumes the agent's earlier conversation: the same placeholders as
     * `command`, and `{resumeSessionId}` for the session id the CLI reported. Absent: every round starts a new
     * conversation, and the CONTEXT-PACK recaps the round before.
     */
    resume: z.array(z.string()).min(1).optional(),
    env: namedRecord(z.string(), "an environment variable").optional(),
    timeoutSec: z.number().int().positive().optional(),
    /** Whether grove commits what the agent left uncommitted when it exits 0; overrides grove.yaml's `autoCommit`. */
    autoCommit: z.boolean().optional(),
    /**
     * How this CLI asks for input (a regular expression, case-insensitive, matched against the end of its last
     * output line), besides the usual "[y/N]", "password:" and "press enter" grove knows.
     */
    inputPrompt: z
      .string()
      .min(1)
      .max(200)
      .refine((source) => {
        try {
          new RegExp(source, "i");
          return true;
        } catch {
          return false;
        }
      }, "must be a valid regular expression")
      .optional(),
    /** Seconds without output and without CPU, its last line a prompt, before a run "needs input" (default 60). */
    inputWaitSec: z.number().int().positive().max(86_400).optional(),
  })
  .superRefine((profile, ctx) => {
    if (profile.command?.some((arg) => arg.includes(RESUME_PLACEHOLDER)))
      ctx.addIssue({
        code: "custom",
        path: ["command"],
        message: `${RESUME_PLACEHOLDER} belongs in \`resume\`, not in \`command\``,
      });
    if (profile.resume && !profile.resume.some((arg) => arg.includes(RESUME_PLACEHOLDER)))
      ctx.addIssue({
        code: "custom",
        path: ["resume"],
        message: `must pass the session to resume: put ${RESUME_PLACEHOLDER} in one of its arguments`,
      });
  });

/** An entry of grove.yaml's `agents`: a whole profile, or (without `command`) settings of a built-in one. */
export const AgentProfileEntrySchema = AgentProfileFields;

export const GroveConfigSchema = z.strictObject({
  integration: z
    .string()
    .default("main")
    .refine((v) => {
      try {
        validateRefName(v);
        return true;
      } catch {
        return false;
      }
    }, "must be a valid branch name"),
  // Checked here, not first when a deposit is built: a bad one would otherwise let every agent run and fail each merge.
  brain: z
    .string()
    .min(1)
    .default("project-brain")
    .refine(isValidBrainDir, "must be a folder inside the repository, outside .git, like project-brain"),
  // Each agent's task needs a folder of its own: without both names two tasks would be given one path.
  worktrees: z
    .string()
    .min(1)
    .default("../{repo}-wt-{agent}-{task}")
    .refine(
      (v) => v.includes("{agent}") && v.includes("{task}"),
      "must contain {agent} and {task}: each task gets a folder of its own",
    ),
  layout: z.enum(["sibling", "bare"]).default("sibling"),
  setup: z.string().optional(),
  /**
   * Whether a new agent worktree gets a copy of the node_modules an earlier setup left for the same lockfiles
   * before its own setup runs (dependency-cache.ts). Absent: where the file system clones files copy-on-write.
   * pnpm and bun use their own stores instead.
   */
  reuseDependencies: z.boolean().optional(),
  /** The test command; `none` declares that the repository has no tests. Absent: runs are "untested". */
  test: z.string().min(1).optional(),
  ports: z
    .strictObject({ from: z.number().int().min(1024).max(65535), to: z.number().int().min(1024).max(65535) })
    .refine((r) => r.from <= r.to, "from must not exceed to")
    .default({ from: 41000, to: 41999 }),
  agents: namedRecord(AgentProfileEntrySchema, "an agent profile").default({}),
  /** Whether grove commits what an agent left uncommitted when it exits 0 (default yes); a profile's own setting wins. */
  autoCommit: z.boolean().optional(),
  /** Every session's budget (USD and/or tokens); a session started with its own budget uses that one. */
  budget: SessionBudgetSchema.optional(),
  /**
   * The merge queue: how many speculative candidates are tested at once. Absent: half the cores, 1 to 4
   * (see queueParallelOf). 1 is the serial queue (each merge tested and landed before the next is built).
   */
  queue: z.strictObject({ parallel: z.number().int().min(1).max(16) }).optional(),
  /** Free memory and CPU load a run, a setup or a test command waits for (admission-config.ts). */
  admission: AdmissionConfigSchema.prefault({}),
});

/** grove.yaml is a short file that anyone with a commit can change: it is refused past this size, unread. */
export const MAX_CONFIG_BYTES = 256 * 1024;

export type GroveConfig = z.infer<typeof GroveConfigSchema>;

/**
 * What grove.yaml says about tests: a command to run, an explicit `test: none` (the repository has no
 * tests, and says so), or nothing at all, which leaves every run "untested" and never auto-approved.
 */
export type TestGate = { kind: "command"; command: string } | { kind: "none" } | { kind: "missing" };

export function testGateOf(config: Pick<GroveConfig, "test">): TestGate {
  if (config.test === undefined) return { kind: "missing" };
  if (config.test.trim() === "none") return { kind: "none" };
  return { kind: "command", command: config.test };
}
export type AgentProfileEntry = z.infer<typeof AgentProfileEntrySchema>;
/** An agent profile as grove runs it: with a command always (agent-profiles.ts resolves an entry without one). */
export type AgentProfile = AgentProfileEntry & { command: string[] };

/** Parses grove.yaml text; an absent file (null) yields the defaults. Errors name the bad key. */
export function parseGroveConfig(text: string | null, source = "grove.yaml"): GroveConfig {
  return parseYamlDocument(GroveConfigSchema, text ?? "", source, MAX_CONFIG_BYTES);
}
