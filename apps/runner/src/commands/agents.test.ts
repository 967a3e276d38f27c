import type { AgentCheck } from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { chmod, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TESTED_AGENT_CLIS } from "@grove/core/launch";
import { runGrove } from "../test-support/grove-process.ts";
import { agentPath } from "@grove/testing";

// `grove agents check` against the real claude and codex grove pins, put on the PATH as a user installs
// them (a folder of their own, not grove's node_modules), plus profiles of grove.yaml.

let repo: TempRepo;
let scratch: string;

// A CLI of another version: it answers --version as Claude Code does, with another number.
const OLD_CLAUDE = `#!${process.execPath}\nconsole.log("1.0.0 (Claude Code)");\n`;
const GROVE_YAML = JSON.stringify({
  agents: {
    gone: { command: ["grove-test-no-such-cli", "--", "{prompt}"] },
    old: { command: ["old-claude", "--print", "--", "{prompt}"] },
  },
});

beforeEach(async () => {
  repo = await makeTempRepo({ files: { "README.md": "# agents\n", "grove.yaml": GROVE_YAML } });
  scratch = await realpath(await mkdtemp(join(tmpdir(), "grove-agents-check-")));
});
afterEach(async () => {
  path = undefined;
  await repo.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

let path: string | undefined;
async function check(...args: string[]) {
  if (path === undefined) {
    const binDir = join(scratch, "bin");
    path = await agentPath(binDir);
    await writeFile(join(binDir, "old-claude"), OLD_CLAUDE);
    await chmod(join(binDir, "old-claude"), 0o755);
  }
  return runGrove(["agents", "check", ...args], { cwd: repo.dir, env: { PATH: path, HOME: scratch } });
}

describe("grove agents check", () => {
  it("finds the installed claude and codex on the PATH, reads their versions, and knows grove was tested with them", async () => {
    const result = await check("--json");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const checks = (JSON.parse(result.stdout) as { checks: AgentCheck[] }).checks;
    const byName = new Map(checks.map((c) => [c.profile, c]));
    expect(checks.map((c) => c.profile)).toEqual(["aider", "claude", "codex", "demo", "gone", "old"]);
    for (const cli of ["claude", "codex"] as const) {
      expect(byName.get(cli)).toMatchObject({
        source: "built-in",
        path: join(scratch, "bin", cli),
        version: TESTED_AGENT_CLIS[cli].version,
        cli,
        testedVersion: TESTED_AGENT_CLIS[cli].version,
        verdict: "tested",
      });
    }
    expect(byName.get("old")).toMatchObject({ source: "grove.yaml", version: "1.0.0", cli: "claude", verdict: "other-version" });
    expect(byName.get("gone")).toMatchObject({ source: "grove.yaml", path: null, verdict: "missing" });
    expect(byName.get("aider")).toMatchObject({
      verdict: "missing",
      note: expect.stringContaining("untested: aider cannot be installed") as unknown,
    });
    expect(byName.get("demo")?.verdict).toBe("bundled");
  });

  it("prints a table, and with profile names exits 1 when one of them is not installed", async () => {
    const table = await check("claude", "gone");
    expect(table.code).toBe(1);
    const lines = table.stdout.split("\n").filter(Boolean);
    expect(lines[0]).toMatch(/^PROFILE\s+FROM\s+CLI\s+VERSION\s+TESTED\s+NOTE$/);
    expect(lines.find((l) => l.startsWith("claude "))).toMatch(
      new RegExp(`claude\\s+built-in\\s+\\S+/bin/claude\\s+${TESTED_AGENT_CLIS.claude.version.replaceAll(".", "\\.")}\\s+yes\\s`),
    );
    expect(lines.find((l) => l.startsWith("gone "))).toMatch(
      /gone\s+grove\.yaml\s+not installed\s+-\s+-\s+not installed: "grove-test-no-such-cli"/,
    );
    expect(lines).toHaveLength(3);

    expect((await check("claude", "codex")).code).toBe(0);
    const unknown = await check("nobody");
    expect(unknown.stderr).toContain('no agent profile named "nobody"');
  });

  it("looks a CLI up on the PATH an agent gets: not in grove's own node_modules", async () => {
    const result = await runGrove(["agents", "check", "--json", "claude"], {
      cwd: repo.dir,
      // Only the runner package's own .bin has claude: an agent's PATH drops it.
      env: { PATH: [join(import.meta.dirname, "../../node_modules/.bin"), "/usr/bin", "/bin"].join(delimiter), HOME: scratch },
    });
    expect((JSON.parse(result.stdout) as { checks: AgentCheck[] }).checks[0]?.verdict).toBe("missing");
    expect(result.code).toBe(1);
  });
});
