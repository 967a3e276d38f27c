import { parseGroveConfig, resultJsonSchema } from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeResultSchema } from "../run/agent-result.ts";
import { resolveAgent } from "./agent-profiles.ts";
import {
  agentEnv,
  REAL_AGENT_CLIS,
  realCliPath,
  startAnthropicDouble,
  startOpenAiDouble,
  type LoopbackServer,
  type ModelScript,
  type RealAgentCli,
} from "@grove/testing";

// The built-in profiles against the CLIs grove pins (apps/runner devDependencies): a flag a new version
// drops or renames fails here, not in a user's session.

let repo: TempRepo;
let scratch: string;
let double: LoopbackServer | undefined;

beforeEach(async () => {
  repo = await makeTempRepo({ files: { "readme.md": "# real agents\n" } });
  scratch = await realpath(await mkdtemp(join(tmpdir(), "grove-real-cli-")));
});
afterEach(async () => {
  await double?.close();
  double = undefined;
  await repo.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

type Exit = { code: number | null; stdout: string; stderr: string };

/** Runs argv as grove does: in the worktree, stdin closed (/dev/null), output captured. */
function run(argv: string[], env: Record<string, string>): Promise<Exit> {
  const [file = "", ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: repo.dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const SAY_ONLY: ModelScript = [{ do: "say", text: "Nothing to do." }];

/** The profile's argv as a run resolves it, its run folder (with a CONTEXT-PACK) outside the worktree. */
async function launch(cli: RealAgentCli, prompt: string, script: ModelScript | LoopbackServer = SAY_ONLY) {
  double = !Array.isArray(script)
    ? (script as LoopbackServer)
    : cli === "claude"
      ? await startAnthropicDouble(script)
      : await startOpenAiDouble(script);
  const env = await agentEnv({
    home: join(scratch, "home"),
    binDir: join(scratch, "bin"),
    anthropicUrl: double.url,
    openAiUrl: double.url,
  });
  const runDir = join(scratch, "data", "runs", "run-1");
  await mkdir(runDir, { recursive: true });
  const contextPack = join(runDir, "context-pack.md");
  const result = join(runDir, "result.json");
  await writeFile(
    contextPack,
    `# CONTEXT-PACK\n\n- When you are done, write your RESULT as JSON to \`${result}\` (also in $GROVE_RESULT).\n`,
  );
  const resultSchema = join(runDir, "result-schema.json");
  const lastMessage = join(runDir, "last-message.json");
  await writeResultSchema(resultSchema);
  const { argv } = resolveAgent(cli, parseGroveConfig(null), { prompt, contextPack, result, runDir, resultSchema, lastMessage });
  const exit = await run(argv, env);
  return { exit, bodies: double.requests.map((r) => r.body), contextPack, result, lastMessage };
}

describe.each(Object.keys(REAL_AGENT_CLIS) as RealAgentCli[])("the built-in %s profile and the installed CLI", (cli) => {
  it("is the pinned version", async () => {
    const exit = await run([realCliPath(cli), "--version"], { HOME: scratch, PATH: process.env.PATH ?? "" });
    expect(exit.stdout).toContain(REAL_AGENT_CLIS[cli].version);
    expect(exit.code).toBe(0);
  });

  it('starts with every flag of the profile, takes a prompt beginning with "--" as its task, is told where its CONTEXT-PACK is, and does not wait on stdin', async () => {
    const prompt = "--help is not an option here: add a line to readme.md";
    const { exit, bodies, contextPack } = await launch(cli, prompt);
    expect(exit.stderr).not.toMatch(/unexpected argument|unknown option|error: /);
    expect(exit.code).toBe(0);
    const conversation = bodies.find((body) => body.includes(JSON.stringify(prompt).slice(1, -1)));
    expect(conversation).toBeDefined();
    expect(conversation).toContain(`Read the CONTEXT-PACK at ${contextPack}`);
  });

  it("may read its CONTEXT-PACK and write its RESULT in the run folder, outside its worktree", async () => {
    const written = { status: "done", summary: "read the pack", learnings: [] };
    const script: ModelScript = [
      { do: "read", path: "{contextPack}" },
      { do: "write", path: "{result}", content: JSON.stringify(written) },
      { do: "say", text: "Done." },
    ];
    const { exit, bodies, result } = await launch(cli, "Read your CONTEXT-PACK", script);
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).not.toContain("permission_denied");
    expect(bodies.some((body) => body.includes(`write your RESULT as JSON to`))).toBe(true);
    expect(JSON.parse(await readFile(result, "utf8"))).toEqual(written);
  });
});

describe("the built-in claude profile's permissions", () => {
  it("still refuse a write outside the worktree and the run folder", async () => {
    const outside = join(scratch, "outside.txt");
    const script: ModelScript = [
      { do: "write", path: outside, content: "should not be here" },
      { do: "say", text: "Done." },
    ];
    const { exit } = await launch("claude", "Write outside", script);
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stdout).toContain('"subtype":"permission_denied"');
    await expect(readFile(outside, "utf8")).rejects.toThrow(/ENOENT/);
  });
});

describe("the built-in codex profile's RESULT", () => {
  it("holds the model's final answer to RESULT's JSON Schema and writes that answer to the run folder", async () => {
    const answer = { status: "done", summary: "answered in the schema", learnings: [], files: null, followUps: null };
    const openAi = await startOpenAiDouble([{ do: "say", text: JSON.stringify(answer) }]);
    const { exit, lastMessage } = await launch("codex", "Answer with your RESULT", openAi);
    expect(exit.code, exit.stderr).toBe(0);
    // As codex 0.169 sends --output-schema: the Responses API's text.format, strict.
    expect(openAi.textFormats()).toEqual([
      { type: "json_schema", strict: true, name: "codex_output_schema", schema: resultJsonSchema() },
    ]);
    expect(await readFile(lastMessage, "utf8")).toBe(JSON.stringify(answer));
  });
});
