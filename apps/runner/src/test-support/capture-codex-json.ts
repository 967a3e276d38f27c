import { parseGroveConfig } from "@grove/core";
import { makeTempRepo } from "@grove/core/test-support";
import { agentEnv, startOpenAiDouble, type ModelScript } from "@grove/testing";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveAgent } from "../launch/agent-profiles.ts";
import { writeResultSchema } from "../run/agent-result.ts";

// Writes what the real codex CLI (the pinned devDependency) prints with the built-in profile's `--json`, driven
// by the OpenAI model double, to the file named as its argument: the fixture core's codex-json parser is
// tested with (packages/core/src/agent-events/fixtures). Run it again after a codex upgrade, once a script:
//   cd apps/runner && pnpm exec tsx src/test-support/capture-codex-json.ts exec ../../packages/core/src/agent-events/fixtures/codex-0.169.0-exec.jsonl
//   (and `refused` into codex-0.169.0-refused.jsonl)
// The temporary paths of the run are replaced by fixed ones, so the fixture does not change from run to run.

const PATCH = [
  "apply_patch <<'PATCH'",
  "*** Begin Patch",
  "*** Update File: README.md",
  "@@",
  "-# codex fixture",
  "+# codex fixture, patched",
  "*** End Patch",
  "PATCH",
].join("\n");
const RESULT = { status: "done", summary: "Patched the README title.", learnings: [], files: ["README.md"], followUps: null };
const SCRIPTS: Record<string, ModelScript> = {
  exec: [
    { do: "read", path: "{contextPack}" },
    { do: "run", command: PATCH },
    { do: "run", command: "ls no-such-file" },
    { do: "run", command: "printf 'line one\\nline two\\n'" },
    { do: "say", text: JSON.stringify(RESULT) },
  ],
  // The provider refuses the second turn (HTTP 400, not retried): codex reports the turn failed and exits 1.
  refused: [
    { do: "run", command: "echo hi" },
    { do: "refuse", status: 400, message: "The model double refuses this request." },
  ],
};

async function capture(script: ModelScript, out: string): Promise<void> {
  const scratch = await realpath(await mkdtemp(join(tmpdir(), "grove-codex-capture-")));
  const repo = await makeTempRepo({ files: { "README.md": "# codex fixture\n" } });
  const double = await startOpenAiDouble(script);
  try {
    const env = await agentEnv({ home: join(scratch, "home"), binDir: join(scratch, "bin"), openAiUrl: double.url });
    const runDir = join(scratch, "run");
    await mkdir(runDir, { recursive: true });
    const paths = {
      contextPack: join(runDir, "context-pack.md"),
      result: join(runDir, "result.json"),
      resultSchema: join(runDir, "result-schema.json"),
      lastMessage: join(runDir, "last-message.json"),
    };
    await writeFile(
      paths.contextPack,
      `# CONTEXT-PACK\n\n- When you are done, write your RESULT as JSON to \`${paths.result}\`.\n`,
    );
    await writeResultSchema(paths.resultSchema);
    const { argv } = resolveAgent("codex", parseGroveConfig(null), { prompt: "Patch the README title", runDir, ...paths });
    const exit = await run(argv, repo.dir, env);
    if (exit.stdout === "") throw new Error(`codex exited ${exit.code} and printed nothing: ${exit.stderr}`);
    const stdout = exit.stdout.replaceAll(repo.dir, "/work/repo").replaceAll(scratch, "/work/grove");
    await writeFile(out, stdout);
  } finally {
    await double.close();
    await repo.cleanup();
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The double answers in this process: the CLI runs beside it, not blocking it. */
function run(argv: string[], cwd: string, env: Record<string, string>) {
  const [file = "", ...args] = argv;
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const [name = "", out] = process.argv.slice(2);
const script = SCRIPTS[name];
if (!script || !out) throw new Error(`usage: capture-codex-json.ts ${Object.keys(SCRIPTS).join("|")} <out.jsonl>`);
await capture(script, out);
