import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";

let repo: TempRepo;
afterEach(async () => {
  await repo.cleanup();
});

it("refuses a session whose integration branch does not exist, naming the branch to set, creating nothing", async () => {
  // A repository on master, as many public ones are, with grove's default integration branch (main).
  repo = await makeTempRepo({ files: { "README.md": "# app\n", "grove.yaml": 'test: node -e "process.exit(0)"\n' } });
  await repo.git(["branch", "-m", "main", "master"]);
  const plan = join(repo.root, "plan.yaml");
  await writeFile(plan, "tasks:\n  - { agent: demo, task: t1, prompt: 'lines=1' }\n");
  const data = join(repo.root, "data");
  const result = await runGrove(["session", "run", "--plan", plan, "--data-dir", data, "--approve", "auto"], { cwd: repo.dir });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(
    `the integration branch "main" does not exist in ${repo.dir} (its branches: master): set \`integration: master\` in grove.yaml, or in the session plan that named it`,
  );
  expect(result.stderr).not.toContain("    at ");
  expect(existsSync(data)).toBe(false);
  expect(await repo.git(["branch", "--list", "agent/*"])).toBe("");

  // Set as it says, the same plan runs and lands on master.
  await repo.write({ "grove.yaml": 'integration: master\ntest: node -e "process.exit(0)"\n' });
  await repo.git(["commit", "-qam", "integration: master"]);
  const fixed = await runGrove(["session", "run", "--plan", plan, "--data-dir", data, "--approve", "auto"], {
    cwd: repo.dir,
    env: { GROVE_DEMO_DELAY_MS: "5" },
  });
  expect(fixed.code, fixed.stderr).toBe(0);
  expect(await repo.git(["log", "--merges", "--format=%s", "master"])).toContain("t1");
});
