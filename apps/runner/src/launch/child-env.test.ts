import { MergeResultSchema, RunReportSchema, RunStateEventSchema, isTerminalRunState } from "@grove/core";
import { startAgentProcess } from "@grove/core/node";
import { makeTempRepo } from "@grove/core/test-support";
import { mkdtemp, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, expect, it } from "vitest";
import { DEMO_AGENT_PATH, GROVE_ROOT } from "../install-paths.ts";
import { PORTS_PER_RUN } from "../run/run-leases.ts";
import { eventsOf, startTestHub, waitFor } from "../test-support/test-hub.ts";

const TOKEN = "runner-token-for-env-tests-0123456";
const LAUNCHER = fileURLToPath(new URL("../test-support/launch-runner.ts", import.meta.url));
// Writes its environment to <dir>/<label>.json (merged-tree-<label>.json in the merged-tree test), then runs the rest of its arguments.
const ENV_DUMP = `import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
const [dir, label, ...then] = process.argv.slice(2);
const name = process.env.GROVE_MERGE_TEST === "1" ? "merged-tree-" + label : label;
writeFileSync(dir + "/" + name + ".json", JSON.stringify(process.env));
if (then.length > 0) process.exitCode = spawnSync(then[0], then.slice(1), { stdio: "inherit" }).status ?? 1;
`;
const LEASE_VARS = ["PORT", "GROVE_PORTS", "GROVE_SLOT"];
const REPO_COMMAND_VARS = [...LEASE_VARS, "GROVE_AGENT", "GROVE_TASK", "GROVE_RUN_ID"];
const RUN_VARS: Record<string, string[]> = {
  setup: REPO_COMMAND_VARS,
  test: REPO_COMMAND_VARS,
  agent: [...REPO_COMMAND_VARS, "GROVE_SESSION", "GROVE_BRANCH", "GROVE_BRAIN", "GROVE_CONTEXT_PACK", "GROVE_RESULT"],
  "merged-tree-setup": [...LEASE_VARS, "GROVE_MERGE_TEST", "GROVE_BRANCH", "GROVE_AGENT", "GROVE_TASK"],
  "merged-tree-test": [...LEASE_VARS, "GROVE_MERGE_TEST", "GROVE_BRANCH", "GROVE_AGENT", "GROVE_TASK"],
};
// What /bin/sh adds to the environment of the command it runs.
const SHELL_VARS = ["PWD", "OLDPWD", "SHLVL", "_"];
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it("gives the agent, setup, tests and the merged-tree test of a runner started as `pnpm start` does the user's environment, not grove's", async () => {
  const dir = await realpath(await mkdtemp(join(tmpdir(), "grove-child-env-")));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "env-dump.mjs"), ENV_DUMP);
  const dump = (label: string, ...then: string[]) => [process.execPath, join(dir, "env-dump.mjs"), dir, label, ...then];
  const shell = (argv: string[]) => argv.map((arg) => `"${arg}"`).join(" ");
  const base = 20_000 + Math.floor(Math.random() * 1000) * 10;
  const ports = { from: base, to: base + 4 * PORTS_PER_RUN - 1 };
  const config = {
    setup: shell(dump("setup")),
    test: shell(dump("test")),
    ports,
    agents: { dump: { command: dump("agent", process.execPath, DEMO_AGENT_PATH, "{prompt}") } },
  };
  const repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": JSON.stringify(config) } });
  cleanups.push(repo.cleanup);
  // The hub's port plays the dashboard's: under `pnpm start` it is the PORT of grove's own environment.
  const hub = await startTestHub({ token: TOKEN });
  cleanups.push(() => hub.close());

  // The user's shell: no NODE_ENV, MALLOC_ARENA_MAX, NODE_PATH or PORT; their own NODE_OPTIONS; a grove
  // secret they exported for the dashboard; and their PATH, which has no node_modules folder.
  const user: Record<string, string> = {
    PATH: (process.env.PATH ?? "")
      .split(delimiter)
      .filter((entry) => !entry.split(sep).includes("node_modules"))
      .join(delimiter),
    HOME: process.env.HOME ?? dir,
    NODE_OPTIONS: "--no-deprecation",
    MY_APP_MODE: "from the user's shell",
    GROVE_AUTH_SECRET: "the dashboard's secret, exported by the user",
    GROVE_DEMO_DELAY_MS: "5",
  };
  const output: string[] = [];
  const launcher = startAgentProcess(["pnpm", "exec", "tsx", LAUNCHER, hub.url, TOKEN, join(dir, "runner-data"), repo.dir], {
    cwd: GROVE_ROOT,
    env: user,
    onLine: (_stream, text) => output.push(text),
  });
  cleanups.push(() => launcher.cancel(2_000));
  await waitFor(() => hub.store.events.some((e) => e.event === "runner:hello"), `the runner's hello:\n${output.join("\n")}`);
  // The premise: the runner itself runs with grove's settings and what pnpm and tsx's shim added.
  const runnerEnv = await processEnvOf(
    await waitFor(() => findProcess(`--data-dir\0${join(dir, "runner-data")}\0`), "the runner's process"),
  );
  expect(runnerEnv.MALLOC_ARENA_MAX).toBe("2");
  expect(runnerEnv.GROVE_RUNNER_TOKEN).toBe(TOKEN);
  expect(runnerEnv.NODE_PATH).toContain(join(GROVE_ROOT, "node_modules"));
  expect(runnerEnv.PATH?.startsWith(join(GROVE_ROOT, "node_modules", ".bin"))).toBe(true);
  expect(runnerEnv.npm_config_user_agent).toMatch(/^pnpm\//);

  const task = { runId: "run-env", agent: "demo", taskId: "env", profile: "dump", prompt: "lines=1" };
  expect(
    await hub.startSession({ sessionId: "session-20260101-1600", repoPath: repo.dir, integration: "main", tasks: [task] }),
  ).toEqual({ ok: true });
  const ended = (s: { runId: string; state: string }) => s.runId === task.runId && isTerminalRunState(s.state);
  const final = await waitFor(() => eventsOf(hub.store, "run:state", RunStateEventSchema).find(ended), "the run to end");
  expect(final.state).toBe("succeeded");
  const report = await waitFor(
    () => eventsOf(hub.store, "run:report", RunReportSchema).find((r) => r.runId === task.runId),
    "the run's report",
  );
  const branch = "agent/demo/env";
  const merge = {
    mergeRequestId: "mr-env",
    runId: task.runId,
    repoPath: repo.dir,
    branch,
    integration: "main",
    headSha: report.headSha ?? "",
    message: `Merge ${branch}`,
    worktreePath: null,
  };
  expect(await hub.executeMerge(merge)).toEqual({ ok: true });
  const merged = await waitFor(
    () => eventsOf(hub.store, "merge:result", MergeResultSchema).find((m) => m.mergeRequestId === "mr-env"),
    "the merge",
  );
  expect(merged.outcome).toMatchObject({ kind: "merged", mergedTreeTest: { status: "passed" } });

  const { GROVE_AUTH_SECRET: _secret, ...kept } = user;
  for (const [label, runVars] of Object.entries(RUN_VARS)) {
    const env = JSON.parse(await readFile(join(dir, `${label}.json`), "utf8")) as Record<string, string>;
    const seen = { label, ...env };
    // Nothing of grove's own (its process settings, pnpm's additions, the launch record, secrets) …
    expect({
      label,
      grove: Object.keys(env).filter((key) => !(key in kept) && !runVars.includes(key) && !SHELL_VARS.includes(key)),
    }).toEqual({ label, grove: [] });
    expect(pick(seen, ["label", "NODE_ENV", "MALLOC_ARENA_MAX", "NODE_PATH", "GROVE_RUNNER_TOKEN", "GROVE_AUTH_SECRET"])).toEqual(
      { label },
    );
    // … the user's variables as they were (their PATH without grove's .bin folders, their own NODE_OPTIONS) …
    expect(pick(seen, ["label", ...Object.keys(kept)])).toEqual({ label, ...kept });
    // … and the run's, with a port block of the runner's pool, not the dashboard's PORT.
    for (const key of runVars) expect({ label, key, isSet: env[key] !== undefined }).toEqual({ label, key, isSet: true });
    const port = Number(env.PORT);
    expect({
      label,
      port,
      inRange: port >= ports.from && port + PORTS_PER_RUN - 1 <= ports.to,
      isDashboard: port === hub.port,
    }).toMatchObject({ label, inRange: true, isDashboard: false });
    expect(env.GROVE_PORTS).toBe(`${port}-${port + PORTS_PER_RUN - 1}`);
  }
});

/** The pid of the process whose NUL-separated command line contains `needle` (Linux /proc). */
async function findProcess(needle: string): Promise<number | null> {
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(needle) && cmdline.includes("\0runner\0")) return Number(entry);
  }
  return null;
}

async function processEnvOf(pid: number): Promise<Record<string, string | undefined>> {
  const pairs = (await readFile(`/proc/${pid}/environ`, "utf8")).split("\0").filter((pair) => pair.includes("="));
  return Object.fromEntries(pairs.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
}

function pick(env: Record<string, string | undefined>, keys: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const key of keys) {
    const value = env[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}
