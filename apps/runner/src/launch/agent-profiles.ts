import { DomainError, MAX_ARG_BYTES, utf8ByteLength, type AgentProfile, type GroveConfig } from "@grove/core";
import { TESTED_AGENT_CLIS } from "@grove/core/launch";
import { DEMO_AGENT_PATH } from "../install-paths.ts";
import { runPaths } from "../run/run-paths.ts";
import { ownEntry, profileFromEntry } from "./profile-entry.ts";
import { chooseArgvTemplate, withResume } from "./resume-form.ts";

const CONTEXT_PACK_POINTER =
  "Read the CONTEXT-PACK at {contextPack} before you start: it holds your constraints and where to write your RESULT.";

/**
 * Profiles every repository has; `agents.<name>` in grove.yaml overrides or adds to them. A prompt is
 * always one argument the CLI takes as text, never as an option, even when it begins with "--": each
 * ends its options with "--" before it (node scripts, commander in claude, clap in codex, all checked
 * against the real CLIs), or glues it to its option (`--message=…`, which argparse in aider reads whole).
 */
export const BUILT_IN_PROFILES: Readonly<Record<string, AgentProfile>> = {
  // The demo agent commits its own work; its `no-commit` directive is there to show what grove does when
  // an agent does not, so grove leaves that alone.
  demo: { command: [process.execPath, DEMO_AGENT_PATH, "--", "{prompt}"], autoCommit: false },
  // Checked against Claude Code 2.1.328 (launch/real-agent-profiles.test.ts). stream-json output is rendered
  // into readable lines and its final `result` event is the RESULT of last resort (see log/claude-stream.ts).
  // acceptEdits takes file edits without asking; print mode cannot ask for anything else, so Bash (the
  // agent's tests, git status) is allowed outright. Claude Code confines reads and writes to its working
  // directory: the run's folder, where the CONTEXT-PACK and RESULT are, is granted with --add-dir.
  claude: withResume(TESTED_AGENT_CLIS.claude.resumeArgs, {
    command: [
      "claude",
      "--print",
      "--output-format",
      "stream-json",
      "--verbose",
      "--permission-mode",
      "acceptEdits",
      "--allowedTools",
      "Bash",
      "--add-dir",
      "{runDir}",
      "--append-system-prompt",
      CONTEXT_PACK_POINTER,
      "--",
      "{prompt}",
    ],
  }),
  // Checked against Codex 0.169.0, which has no --full-auto. `exec` never asks for approval; its
  // workspace-write sandbox lets the agent edit the worktree and run commands in it (no network), and
  // --add-dir makes the run's folder writable for the RESULT. The CONTEXT-PACK pointer goes in as developer
  // instructions (a TOML string), so the prompt stays the task's own text. --json prints its events, which
  // grove renders into readable lines and reads tokens and the thread id from (see log/codex-stream.ts).
  // --output-schema holds the model's final answer to RESULT's JSON Schema (sent as the Responses API's
  // text.format), and --output-last-message writes that answer to a file: grove's RESULT (run/agent-result.ts).
  codex: withResume(TESTED_AGENT_CLIS.codex.resumeArgs, {
    command: [
      "codex",
      "exec",
      "--json",
      "--sandbox",
      "workspace-write",
      "--add-dir",
      "{runDir}",
      "-c",
      `developer_instructions="${CONTEXT_PACK_POINTER}"`,
      "--output-schema",
      "{resultSchema}",
      "--output-last-message",
      "{lastMessage}",
      "--",
      "{prompt}",
    ],
  }),
  aider: { command: ["aider", "--yes-always", "--no-auto-commits", "--message={prompt}"] },
};

/**
 * The profile of that name (grove.yaml's `agents`, then the built-in ones); an unknown name is refused.
 * Own properties only: "constructor" or "__proto__" name no profile, not something of Object.prototype.
 */
export function findProfile(profileName: string, config: GroveConfig): AgentProfile {
  const own = ownEntry(config.agents, profileName);
  const builtIn = ownEntry(BUILT_IN_PROFILES, profileName);
  if (own) return profileFromEntry(profileName, own, builtIn, Object.keys(BUILT_IN_PROFILES));
  if (builtIn) return builtIn;
  const known = [...new Set([...Object.keys(BUILT_IN_PROFILES), ...Object.keys(config.agents)])].sort();
  throw new DomainError(
    "INVALID_INPUT",
    // Only a name grove.yaml can hold is worth suggesting there (it refuses "__proto__").
    `Unknown agent profile "${profileName}". ${profileName === "__proto__" ? "Use" : `Define agents.${profileName}.command in grove.yaml, or use`} one of: ${known.join(", ")}.`,
  );
}

/**
 * `{runDir}`: the run's own folder, which holds the CONTEXT-PACK and the RESULT (for a CLI's --add-dir);
 * `{resultSchema}`: RESULT's JSON Schema there; `{lastMessage}`: where the CLI may write its last message;
 * `{resumeSessionId}`: a review round's earlier conversation, given only to a profile's `resume` form.
 */
export type PlaceholderValues = {
  prompt: string;
  contextPack: string;
  result: string;
  runDir: string;
  resultSchema: string;
  lastMessage: string;
  resumeSessionId?: string | undefined;
};
export type ResolvedAgent = {
  profile: string;
  argv: string[];
  env: Record<string, string>;
  timeoutMs: number | undefined;
  /** The profile's own way of asking for input (run/input-wait.ts), and how long a wait on it takes. */
  inputPrompt: RegExp | undefined;
  inputWaitMs: number;
  resumed: boolean; // the argv is the profile's `resume` form, continuing an earlier conversation
};

const DEFAULT_INPUT_WAIT_SEC = 60;

/**
 * The argv of a run: the profile's command with its placeholders (PlaceholderValues) filled in.
 * Each placeholder becomes (part of) one argument, in a single pass, so a prompt containing
 * "{result}" stays literal and nothing ever goes through a shell. Refused (before anything runs) when
 * the CLI would read the prompt as an option, or an argument is longer than exec allows.
 */
export function resolveAgent(profileName: string, config: GroveConfig, values: PlaceholderValues): ResolvedAgent {
  const profile = findProfile(profileName, config);
  const { template, resumed } = chooseArgvTemplate(profile, values.resumeSessionId);
  assertPromptIsNoOption(profileName, template, values.prompt);
  const argv = template.map((arg) =>
    arg.replace(
      /\{(prompt|contextPack|resultSchema|result|runDir|lastMessage|resumeSessionId)\}/g,
      (_match, key: keyof PlaceholderValues) => values[key] ?? "",
    ),
  );
  assertArgumentsFit(profileName, argv);
  assertNoNul(profileName, [...argv, ...Object.entries(profile.env ?? {}).flat()]);
  return {
    profile: profileName,
    argv,
    env: profile.env ?? {},
    timeoutMs: profile.timeoutSec === undefined ? undefined : profile.timeoutSec * 1000,
    inputPrompt: profile.inputPrompt === undefined ? undefined : new RegExp(profile.inputPrompt, "i"),
    inputWaitMs: (profile.inputWaitSec ?? DEFAULT_INPUT_WAIT_SEC) * 1000,
    resumed,
  };
}

/** Checks a task as its run would launch it, before anything is created for it. */
export function checkAgentLaunch(
  task: { runId: string; profile: string; prompt: string; round?: { resumeSessionId?: string | undefined } | undefined },
  config: GroveConfig,
  dataDir: string,
): void {
  const paths = runPaths(dataDir, task.runId);
  resolveAgent(task.profile, config, {
    prompt: task.prompt,
    contextPack: paths.contextPack,
    result: paths.result,
    runDir: paths.runDir,
    resultSchema: paths.resultSchema,
    lastMessage: paths.lastMessage,
    resumeSessionId: task.round?.resumeSessionId,
  });
}

/**
 * A prompt that begins with "-" and starts an argument of its own is read by most CLIs as an option
 * ("--dangerously-skip-permissions"), unless a "--" argument came before it.
 */
function assertPromptIsNoOption(profileName: string, template: string[], prompt: string): void {
  if (!prompt.startsWith("-")) return;
  const [program, ...args] = template;
  const at = args.findIndex((arg) => arg.startsWith("{prompt}"));
  if (at === -1 || args.slice(0, at).includes("--")) return;
  throw new DomainError(
    "INVALID_INPUT",
    `The prompt starts with "-", and agent profile "${profileName}" passes it as an argument of its own with no "--" before it, so ${program ?? "the agent"} would read it as an option. ` +
      `Add "--" before "{prompt}" in agents.${profileName}.command in grove.yaml (if the CLI accepts "--"), or begin the prompt with another character.`,
  );
}

function assertArgumentsFit(profileName: string, argv: string[]): void {
  argv.forEach((arg, index) => {
    const bytes = utf8ByteLength(arg);
    if (bytes <= MAX_ARG_BYTES) return;
    throw new DomainError(
      "INVALID_INPUT",
      `Argument ${index} of agent profile "${profileName}" would be ${bytes.toLocaleString("en")} bytes; Linux refuses a command-line argument over ${MAX_ARG_BYTES.toLocaleString("en")} bytes. Shorten the prompt.`,
    );
  });
}

/** A NUL byte cannot be in an argument or an environment variable: spawn would throw instead of starting the agent. */
function assertNoNul(profileName: string, strings: string[]): void {
  if (!strings.some((text) => text.includes("\u0000"))) return;
  throw new DomainError(
    "INVALID_INPUT",
    `Agent profile "${profileName}" would get a NUL character in an argument or environment variable (from the prompt or its command or env in grove.yaml), which no program can be given. Remove it.`,
  );
}
