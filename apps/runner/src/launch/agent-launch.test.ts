import { isDomainError, MAX_PROMPT_BYTES, parseGroveConfig, utf8ByteLength } from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILT_IN_PROFILES, findProfile, resolveAgent } from "./agent-profiles.ts";
import { runHeadlessSession } from "../headless/headless-session.ts";
import { PlanSchema } from "../headless/plan-file.ts";

// A CLI with a real option parser (node's util.parseArgs, strict like commander or clap): it records
// which options it saw and what it took as text.
const PROBE_CLI = `
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
const { values, positionals } = parseArgs({ options: { "dangerously-skip-permissions": { type: "boolean" } }, allowPositionals: true, strict: true });
writeFileSync(process.env.PROBE_OUT, JSON.stringify({ values, positionals }));
`;

let repo: TempRepo;
let scratch: string;
let probeOut: string;

beforeEach(async () => {
  process.env.GROVE_DEMO_DELAY_MS = "5";
  scratch = await realpath(await mkdtemp(join(tmpdir(), "grove-launch-")));
  probeOut = join(scratch, "probe.json");
  await writeFile(join(scratch, "probe-cli.mjs"), PROBE_CLI);
  const probe = (...args: string[]) => ({
    command: [process.execPath, join(scratch, "probe-cli.mjs"), ...args],
    env: { PROBE_OUT: probeOut },
  });
  const config = {
    test: `"${process.execPath}" -e "process.exit(0)"`,
    agents: { bare: probe("{prompt}"), ended: probe("--", "{prompt}"), twice: probe("--", "{prompt} / {prompt}") },
  };
  repo = await makeTempRepo({ files: { "README.md": "# launch\n", "grove.yaml": JSON.stringify(config) } });
});
afterEach(async () => {
  await repo.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

const session = async (profile: string | undefined, prompt: string, agent = "probe") =>
  runHeadlessSession({
    repo: repo.dir,
    plan: PlanSchema.parse({ session: "session-20260101-0900", tasks: [{ agent, task: "t1", profile, prompt }] }),
    dataDir: join(scratch, "data"),
    approve: "manual",
  });

async function expectNothingCreated(): Promise<void> {
  expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");
  expect(await repo.git(["worktree", "list", "--porcelain"])).not.toContain("agent/");
  await expect(stat(probeOut)).rejects.toThrow(/ENOENT/);
}

const received = async () =>
  JSON.parse(await readFile(probeOut, "utf8")) as { values: Record<string, unknown>; positionals: string[] };

describe("a prompt is one argument, never an option of the agent's CLI", () => {
  it('refuses a prompt starting with "-" for a profile that passes {prompt} with no "--" before it, creating nothing', async () => {
    const refused = session("bare", "--dangerously-skip-permissions");
    await expect(refused).rejects.toThrow(
      'The prompt starts with "-", and agent profile "bare" passes it as an argument of its own with no "--" before it, so ' +
        `${process.execPath} would read it as an option. Add "--" before "{prompt}" in agents.bare.command in grove.yaml`,
    );
    await expect(refused).rejects.toSatisfy(isDomainError);
    await expectNothingCreated();
  });

  it('hands it over as text when the profile ends the options with "--"', async () => {
    const summary = await session("ended", "--dangerously-skip-permissions");
    expect(summary.tasks[0]?.report).not.toBeNull();
    expect(await received()).toEqual({ values: {}, positionals: ["--dangerously-skip-permissions"] });
  });

  it("every built-in profile ends its options before the prompt, or glues the prompt to its option", () => {
    const prompt = "--dangerously-skip-permissions";
    for (const name of Object.keys(BUILT_IN_PROFILES)) {
      const { argv } = resolveAgent(name, parseGroveConfig(null), {
        prompt,
        contextPack: "/p/pack.md",
        result: "/p/result.json",
        runDir: "/p",
        resultSchema: "/p/result-schema.json",
        lastMessage: "/p/last-message.json",
      });
      const at = argv.findIndex((arg) => arg.endsWith(prompt));
      const isGlued = argv[at] !== prompt && argv[at]?.startsWith("--");
      expect(isGlued || argv.slice(1, at).includes("--"), `${name}: ${argv.join(" ")}`).toBe(true);
    }
  });

  it("the built-in demo agent gets such a prompt as its task text", async () => {
    const summary = await session("demo", "--dangerously-skip-permissions lines=1", "demo");
    expect(summary.tasks[0]?.state).toBe("succeeded");
    const notes = await repo.git(["show", "agent/demo/t1:notes/t1.md"]);
    expect(notes).toContain("> --dangerously-skip-permissions");
  });
});

describe("profile names are looked up as own entries only", () => {
  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])('refuses the unknown profile "%s" clearly', (name) => {
    const lookup = () => findProfile(name, parseGroveConfig(null));
    // grove.yaml refuses a profile named __proto__: no advice to define one.
    const advice = name === "__proto__" ? "Use" : `Define agents.${name}.command in grove.yaml, or use`;
    expect(lookup).toThrow(`Unknown agent profile "${name}". ${advice} one of: aider, claude, codex, demo.`);
  });

  it("refuses such a profile in a plan before creating anything", async () => {
    for (const name of ["__proto__", "constructor", "toString"]) {
      await expect(session(name, "go")).rejects.toThrow(`Unknown agent profile "${name}"`);
      // A task whose agent is so named runs the profile named like it by default.
      await expect(session(undefined, "go", name)).rejects.toThrow(`Unknown agent profile "${name}"`);
    }
    await expectNothingCreated();
  });
});

describe("a prompt is bounded in bytes", () => {
  it("refuses 99,000 characters of 'é' before creating anything, naming the limit", async () => {
    await expect(session("ended", "é".repeat(99_000))).rejects.toThrow(
      /the prompt is 198,000 bytes of UTF-8; at most 100,000 bytes are allowed/,
    );
    await expectNothingCreated();
  });

  it("spawns a real agent with a prompt at the limit, which receives it whole", async () => {
    const prompt = `${"€".repeat(33_333)}a`;
    expect(utf8ByteLength(prompt)).toBe(MAX_PROMPT_BYTES);
    await session("ended", prompt);
    expect((await received()).positionals).toEqual([prompt]);
  });

  it("refuses, before creating anything, a profile that would make one argument longer than exec allows", async () => {
    await expect(session("twice", "€".repeat(33_333))).rejects.toThrow(
      /Argument 3 of agent profile "twice" would be 200,001 bytes; Linux refuses a command-line argument over 131,071 bytes/,
    );
    await expectNothingCreated();
  });
});
