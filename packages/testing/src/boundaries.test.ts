// The import boundaries (tooling/eslint-boundaries.mjs) refuse what they name and allow what they allow:
// small sources linted as if they were files at these paths, with the repository's own eslint.config.mjs.
// A rule switched off, a zone that no longer matches or an exception that grew fails here, not in review.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
// Types are not what these rules read; without them, a source need not be a file of a tsconfig.
const eslint = new ESLint({
  cwd: REPO_ROOT,
  overrideConfig: [{ files: ["**/*.ts", "**/*.tsx"], ...tseslint.configs.disableTypeChecked }],
});

const RESTRICTED = "no-restricted-imports";
const CROSS = "grove/no-cross-package-import";
type Case = [file: string, source: string, refusal: null | [rule: string, says: string]];

const refused: Case[] = [
  ["apps/web/src/components/fixture.tsx", 'import { runGit } from "@grove/core/node";', [RESTRICTED, "browser code"]],
  ["apps/web/src/lib/fixture.ts", 'import { readFile } from "node:fs/promises";', [RESTRICTED, "browser code cannot use node"]],
  ["apps/web/src/app/fixture.tsx", 'import { readFile } from "fs";', [RESTRICTED, "browser code cannot use node"]],
  ["apps/web/src/app/fixture.tsx", 'import { createDb } from "@grove/db";', [RESTRICTED, "browser code"]],
  ["apps/web/src/lib/fixture.ts", 'import { appRouter } from "../server/api/root.ts";', [RESTRICTED, "server's types"]],
  ["apps/web/src/server/fixture.ts", 'import { runGit } from "@grove/core/node";', [RESTRICTED, "web server runs no git"]],
  [
    "apps/web/src/server/fixture.ts",
    'import { makeTempRepo } from "@grove/core/test-support";',
    [RESTRICTED, "never imports test support"],
  ],
  ["apps/web/server.ts", 'import { waitFor } from "@grove/testing";', [RESTRICTED, "never imports test support"]],
  [
    "packages/db/src/fixture.ts",
    'import { startPostgres } from "@grove/test-services";',
    [RESTRICTED, "never imports test support"],
  ],
  ["apps/web/src/server/fixture.ts", 'import { main } from "@grove/runner";', [RESTRICTED, "no package imports the runner"]],
  [
    "apps/web/src/server/fixture.test.ts",
    'import { main } from "@grove/runner/launch";',
    [RESTRICTED, "no package imports the runner"],
  ],
  [
    "apps/web/src/server/test-support/fixture.ts",
    'import { RUNNER_ENV } from "../../../../runner/src/node-options.ts";',
    [CROSS, "apps/runner"],
  ],
  ["apps/runner/src/fixture.ts", 'import { createDb } from "@grove/db";', [RESTRICTED, "the runner has no database"]],
  [
    "apps/runner/src/fixture.test.ts",
    'import { makeTempDb } from "@grove/db/test-support";',
    [RESTRICTED, "the runner has no database"],
  ],
  ["apps/runner/src/fixture.ts", 'import { waitFor } from "@grove/testing";', [RESTRICTED, "never imports test support"]],
  ["apps/runner/src/fixture.ts", 'import { startGroveServer } from "../../web/src/server/grove-server.ts";', [CROSS, "apps/web"]],
  [
    "packages/core/src/merge/fixture.ts",
    'import { spawn } from "child_process";',
    [RESTRICTED, "core domain code gets I/O through ports"],
  ],
  [
    "packages/core/src/merge/fixture.ts",
    'import { spawn } from "node:child_process";',
    [RESTRICTED, "core domain code gets I/O through ports"],
  ],
  [
    "packages/core/src/merge/fixture.ts",
    'import { readFileSync } from "fs";',
    [RESTRICTED, "core domain code gets I/O through ports"],
  ],
  [
    "packages/core/src/merge/fixture.ts",
    'import { simpleGit } from "simple-git";',
    [RESTRICTED, "core domain code gets I/O through ports"],
  ],
  [
    "packages/core/src/merge/fixture.ts",
    'import { runGit } from "../node/run-git.ts";',
    [RESTRICTED, "may not import core's node adapters"],
  ],
  ["packages/core/src/merge/fixture.ts", 'import { createDb } from "@grove/db";', [RESTRICTED, "db depends on core"]],
  [
    "packages/core/src/node/fixture.test.ts",
    'import { waitFor } from "@grove/testing";',
    [RESTRICTED, "@grove/testing depends on core and db"],
  ],
  [
    "packages/db/src/fixture.ts",
    'import { waitFor } from "@grove/testing";',
    [RESTRICTED, "@grove/testing depends on core and db"],
  ],
  ["packages/db/src/fixture.ts", 'import { x } from "../../core/src/node/run-git.ts";', [CROSS, "packages/core"]],
  ["packages/testing/src/fixture.ts", 'import { startGroveServer } from "@grove/web";', [RESTRICTED, "sits below the apps"]],
  ["scripts/fixture.ts", 'import { ensureDemoRepo } from "../apps/runner/src/cli.ts";', [CROSS, "apps/runner"]],
  ["scripts/fixture.ts", 'import { waitFor } from "@grove/testing";', [RESTRICTED, "never imports test support"]],
  ["scripts/bench/fixture.ts", 'import { waitFor } from "../../apps/web/src/server/test-support/stack.ts";', [CROSS, "apps/web"]],
  ["e2e/fixture.ts", 'await import("../scripts/start.ts");', [CROSS, "the root package"]],
];

const allowed: Case[] = [
  ["apps/web/src/lib/fixture.ts", 'import type { AppRouter } from "../server/api/root.ts";', null],
  ["apps/web/src/server/fixture.ts", 'import { restrictFile } from "@grove/core/private-files";', null],
  [
    "apps/web/src/server/fixture.test.ts",
    'import { runGit } from "@grove/core/node";\nimport { waitFor } from "@grove/testing";',
    null,
  ],
  ["apps/runner/src/fixture.test.ts", 'import { waitFor } from "@grove/testing";', null],
  ["packages/db/src/test-support/fixture.ts", 'import { startPostgres } from "@grove/test-services";', null],
  ["packages/core/src/node/fixture.ts", 'import { spawn } from "node:child_process";', null],
  ["packages/core/src/merge/fixture.test.ts", 'import { readFileSync } from "node:fs";', null],
  ["scripts/fixture.ts", 'import { runnerLaunchArgs } from "@grove/core/launch";', null],
  ["scripts/bench/fixture.ts", 'import { waitFor } from "@grove/testing";', null],
  ["e2e/start-stack.ts", 'await import("../scripts/start.ts");', null],
  ["e2e/start-team-stack.ts", 'await import("../scripts/e2e/team-stack.ts");', null],
  ["scripts/e2e/team-stack.ts", 'import { startPostgres } from "@grove/testing";', null],
];

async function boundaryMessages(file: string, source: string) {
  const [result] = await eslint.lintText(`${source}\nexport {};\n`, { filePath: path.join(REPO_ROOT, file) });
  const messages = result?.messages ?? [];
  const fatal = messages.find((m) => m.fatal);
  if (fatal) throw new Error(`${file} did not parse: ${fatal.message}`);
  return messages
    .filter((m) => m.ruleId === RESTRICTED || m.ruleId === CROSS)
    .map((m) => ({ rule: m.ruleId, message: m.message }));
}

const longFile = (opening: string) =>
  `${opening}\n${Array.from({ length: 200 }, (_, i) => `export const line${i} = ${i};`).join("\n")}`;

async function maxLinesMessages(file: string, source: string) {
  const [result] = await eslint.lintText(source, { filePath: path.join(REPO_ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === "max-lines").map((m) => m.message);
}

describe("file length", () => {
  it("refuses a source file over 200 lines, unless its opening comment gives the reason", async () => {
    expect(await maxLinesMessages("apps/runner/src/run/long.ts", longFile("// a long file"))).toEqual([
      expect.stringContaining("Maximum allowed is 200") as string,
    ]);
    const reasoned = longFile("/* eslint-disable max-lines -- one table the protocol reads top to bottom */");
    expect(await maxLinesMessages("apps/runner/src/run/long.ts", reasoned)).toEqual([]);
    expect(await maxLinesMessages("apps/runner/src/run/long.test.ts", longFile("// scenarios"))).toEqual([]);
  });
});

describe("import boundaries", () => {
  it.each(refused)("%s refuses %s", async (file, source, refusal) => {
    const [rule, says] = refusal ?? ["", ""];
    expect(await boundaryMessages(file, source)).toEqual([{ rule, message: expect.stringContaining(says) as string }]);
  });

  it.each(allowed)("%s allows %s", async (file, source) => {
    expect(await boundaryMessages(file, source)).toEqual([]);
  });
});
