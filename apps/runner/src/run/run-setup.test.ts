import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdtemp, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runHeadlessSession } from "../headless/headless-session.ts";
import { PlanSchema } from "../headless/plan-file.ts";

let repo: TempRepo;
let dataDir: string;
let marker: string;

beforeEach(async () => {
  process.env.GROVE_DEMO_DELAY_MS = "5";
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-setup-reuse-")));
  marker = join(dataDir, "installs");
  await writeFile(marker, "");
  // An install as far as grove can tell: it fills node_modules (counting itself) unless it is complete already.
  const setup = `"${process.execPath}" -e "const fs=require('fs');if(!fs.existsSync('node_modules/dep/index.js')){fs.appendFileSync('${marker}','x');fs.mkdirSync('node_modules/dep',{recursive:true});fs.writeFileSync('node_modules/dep/index.js','v1')}"`;
  repo = await makeTempRepo({
    files: {
      "README.md": "# app\n",
      ".gitignore": "node_modules/\n",
      "package.json": '{ "name": "app" }\n',
      "package-lock.json": '{ "lockfileVersion": 3 }\n',
      "grove.yaml": `reuseDependencies: true\nsetup: ${JSON.stringify(setup)}\n`,
    },
  });
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

const session = (name: string, task: string) =>
  PlanSchema.parse({ session: name, tasks: [{ agent: "demo", profile: "demo", task, prompt: "lines=1" }] });

describe("an agent worktree's setup with reuseDependencies", () => {
  it("finds the node_modules an earlier run's setup left for the same lockfile already in place", async () => {
    const lines: string[] = [];
    const onLine = (_task: unknown, _stream: unknown, text: string) => void lines.push(text);
    await runHeadlessSession({
      repo: repo.dir,
      plan: session("session-20260101-0900", "one"),
      dataDir,
      approve: "manual",
      onLine,
    });
    expect(lines.some((line) => line.includes("kept node_modules for the next worktree"))).toBe(true);
    await runHeadlessSession({
      repo: repo.dir,
      plan: session("session-20260101-0901", "two"),
      dataDir,
      approve: "manual",
      onLine,
    });

    expect(
      lines.some((line) => line.includes("dependencies copied from an earlier setup with the same lockfiles: node_modules")),
    ).toBe(true);
    expect(await readFile(marker, "utf8")).toBe("x");
    const second = (await repo.git(["worktree", "list", "--porcelain"])).match(/worktree (\S+-two)\n/)?.[1] ?? "";
    const copied = join(second, "node_modules/dep/index.js");
    expect(await readFile(copied, "utf8")).toBe("v1");
    expect((await stat(copied)).nlink).toBe(1);
  });
});
