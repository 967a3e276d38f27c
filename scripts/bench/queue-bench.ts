import { agentCommit, makeTempRepo, runTsScript, type TempRepo } from "@grove/core/test-support";
import { fileURLToPath } from "node:url";
import { ratioLine } from "./measure.ts";

const LAND_QUEUE = fileURLToPath(new URL("../../apps/runner/bench/land-queue.ts", import.meta.url));

const BRANCHES = 8;
const SPECULATIVE_PARALLEL = 4;
const TEST_FILES = 5;
const TEST_FILE_MS = 1_000;

/**
 * A generated npm project whose `npm test` takes ~5 s (`node --test` over five files of ~1 s each, one at a
 * time) and whose `setup` is `npm install` of a tiny local dependency (no network).
 */
async function npmProject(parallel: number): Promise<TempRepo> {
  const tests = Object.fromEntries(
    Array.from({ length: TEST_FILES }, (_, i) => [
      `test/t${i}.test.mjs`,
      [
        'import { test } from "node:test";',
        'import assert from "node:assert";',
        'import { add } from "tiny";',
        `test("suite ${i}", async () => {`,
        `  await new Promise((r) => setTimeout(r, ${TEST_FILE_MS}));`,
        "  assert.equal(add(1, 2), 3);",
        "});",
      ].join("\n"),
    ]),
  );
  const repo = await makeTempRepo({
    files: {
      "package.json": JSON.stringify({
        name: "bench-app",
        private: true,
        type: "module",
        scripts: { test: "node --test --test-concurrency=1 test/" },
        dependencies: { tiny: "file:./vendor/tiny" },
      }),
      "vendor/tiny/package.json": JSON.stringify({ name: "tiny", version: "1.0.0", type: "module", main: "index.js" }),
      "vendor/tiny/index.js": "export const add = (a, b) => a + b;\n",
      ".gitignore": "node_modules/\n",
      "grove.yaml": [
        "setup: npm install --offline --no-audit --no-fund --loglevel=error",
        "test: npm test --silent",
        `queue:\n  parallel: ${parallel}`,
      ].join("\n"),
      ...tests,
    },
  });
  return repo;
}

/** Time until every one of BRANCHES approved branches landed through the merge queue (all approved at once). */
async function landAll(parallel: number, trees: "warm" | "fresh"): Promise<{ ms: number; merged: number }> {
  const repo = await npmProject(parallel);
  try {
    const heads: { branch: string; head: string }[] = [];
    for (let i = 0; i < BRANCHES; i++) {
      const { head } = await agentCommit(repo, `a${i}`, "t", { [`src/feature-${i}.js`]: `export const f${i} = ${i};\n` });
      heads.push({ branch: `agent/a${i}/t`, head });
    }
    // The runner's merge queue, run where the runner's code lives (apps/runner/bench/land-queue.ts).
    const landed = await runTsScript(LAND_QUEUE, [repo.dir, trees], { input: JSON.stringify(heads) });
    if (landed.code !== 0) throw new Error(`land-queue.ts failed: ${landed.stderr.slice(-2000)}`);
    const { ms, kinds } = JSON.parse(landed.stdout) as { ms: number; kinds: string[] };
    if (kinds.some((k) => k !== "merged")) throw new Error(`bench merges failed: ${kinds.join(", ")}`);
    return { ms, merged: kinds.length };
  } finally {
    await repo.cleanup();
  }
}

/**
 * `pnpm bench queue`: the speculative queue (parallel 4) with warm merge trees vs today's serial queue (parallel 1)
 * with a fresh worktree per test; and the speculative queue alone (fresh both), to tell the two gains apart.
 */
export async function benchQueue(): Promise<string[]> {
  const serial = await landAll(1, "fresh");
  const speculative = await landAll(SPECULATIVE_PARALLEL, "warm");
  const speculativeFresh = await landAll(SPECULATIVE_PARALLEL, "fresh");
  return [
    ratioLine(
      `land ${BRANCHES} branches, ~5 s npm test: parallel ${SPECULATIVE_PARALLEL} + warm trees vs serial + fresh`,
      speculative.ms,
      serial.ms,
      0.4,
    ),
    ratioLine(`the same, parallel ${SPECULATIVE_PARALLEL} + fresh trees vs serial + fresh`, speculativeFresh.ms, serial.ms, 0.4),
  ];
}
