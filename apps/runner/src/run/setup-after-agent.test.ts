import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, readFile, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runHeadlessSession } from "../headless/headless-session.ts";
import { PlanSchema } from "../headless/plan-file.ts";

// Setup installs what package.json asks for (here: a stamp of its version in node_modules); the tests
// check the install matches the manifest, as any test importing a dependency does. An agent that bumps
// the manifest has its tests run against an install of its own manifest, not the one setup saw before it.
const node = `"${process.execPath}"`;
const SETUP = `${node} -e "const fs=require('fs');fs.mkdirSync('node_modules',{recursive:true});fs.writeFileSync('node_modules/stamp',require('./package.json').version);fs.appendFileSync('../setup-runs','x')"`;
const TEST = `${node} -e "const fs=require('fs');const want=require('./package.json').version;const got=fs.readFileSync('node_modules/stamp','utf8');if(got!==want){console.log('stale install: '+got+' for '+want);process.exit(7)}"`;
// `bump` raises package.json's version; anything else writes a file no setup reads.
const BUMPING_AGENT = `
const fs = require("fs");
if (process.argv[process.argv.length - 1] === "bump") {
  fs.writeFileSync("package.json", JSON.stringify({ ...JSON.parse(fs.readFileSync("package.json", "utf8")), version: "2.0.0" }));
} else fs.writeFileSync("notes.txt", "notes\\n");
`;

let repo: TempRepo;
let dataDir: string;

beforeEach(async () => {
  const yaml = {
    setup: SETUP,
    test: TEST,
    agents: { bumper: { command: [process.execPath, "-e", BUMPING_AGENT, "--", "{prompt}"] } },
  };
  repo = await makeTempRepo({
    files: {
      "package.json": JSON.stringify({ name: "pkg", version: "1.0.0" }),
      ".gitignore": "node_modules/\n",
      "grove.yaml": JSON.stringify(yaml),
    },
  });
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-setup-after-agent-")));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

const plan = (task: string, prompt: string) =>
  PlanSchema.parse({ session: "session-20260101-0900", tasks: [{ agent: "bumper", task, prompt }] });

async function setupRuns(): Promise<number> {
  return (await readFile(join(repo.root, "setup-runs"), "utf8").catch(() => "")).length;
}

describe("setup in an agent's worktree", () => {
  it("runs again before the tests when the agent's commits changed a setup input, so they test its install", async () => {
    const lines: string[] = [];
    const summary = await runHeadlessSession({
      repo: repo.dir,
      plan: plan("bump", "bump"),
      dataDir,
      approve: "manual",
      onLine: (_task, _stream, text) => lines.push(text),
    });
    expect(
      summary.tasks.map((t) => [t.state, t.report?.test.status]),
      lines.join("\n"),
    ).toEqual([["succeeded", "passed"]]);
    expect(lines.some((line) => line.includes("setup inputs changed"))).toBe(true);
    expect(await setupRuns()).toBe(2);
  });

  it("does not run setup again when the agent changed no setup input", async () => {
    const summary = await runHeadlessSession({ repo: repo.dir, plan: plan("notes", "notes"), dataDir, approve: "manual" });
    expect(summary.tasks.map((t) => t.state)).toEqual(["succeeded"]);
    expect(await setupRuns()).toBe(1);
  });
});
