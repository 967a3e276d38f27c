import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { git } from "../git-state.ts";
import { E2E_DATA_DIR } from "../stack.ts";

/**
 * The merged-tree test of the queue spec: the demo suite, then — only in a merged-tree test (GROVE_MERGE_TEST) —
 * it waits until the spec writes the release file. Agent runs' own tests pass at once. Its name is none that
 * `node --test` picks up.
 */
const GATE_SCRIPT = `import { existsSync } from "node:fs";
if (process.env.GROVE_MERGE_TEST !== "1") process.exit(0);
const release = process.argv[2];
console.log(\`\${process.env.GROVE_TASK}: waiting for \${release}\`);
while (!existsSync(release)) await new Promise((resolve) => setTimeout(resolve, 50));
console.log(\`\${process.env.GROVE_TASK}: released\`);
`;

const commitOnMain = (repo: string, message: string) => {
  git(repo, ["add", "-A"]);
  git(repo, ["commit", "-q", "-m", message]);
  return git(repo, ["rev-parse", "main"]);
};

/**
 * Puts the demo repository's merge queue under the spec's control, committed on main as a user would: `parallel`
 * test slots and a merged-tree test held until `release()`. Admission is opened wide (a shared test machine's
 * load must not hold the tests back: admission has its own tests). `restore()` commits the old grove.yaml back.
 */
export function holdMergedTreeTests(repo: string, opts: { parallel: number; stamp: string }) {
  const releaseFile = path.join(E2E_DATA_DIR, `queue-release-${opts.stamp}`);
  mkdirSync(E2E_DATA_DIR, { recursive: true });
  const groveYaml = path.join(repo, "grove.yaml");
  const before = readFileSync(groveYaml, "utf8");
  const test = before.match(/^test: (.*)$/m)?.[1] ?? "node --test";
  writeFileSync(path.join(repo, "queue-gate.mjs"), GATE_SCRIPT);
  writeFileSync(
    groveYaml,
    [
      ...before.split("\n").filter((line) => line !== "" && !line.startsWith("test: ")),
      `test: ${test} && node queue-gate.mjs ${releaseFile}`,
      `queue: { parallel: ${opts.parallel} }`,
      "admission: { minFreeMemoryMb: 0, maxLoadPerCore: 1000, runMemoryMb: 1, testMemoryMb: 1 }",
      "",
    ].join("\n"),
  );
  const base = commitOnMain(repo, `e2e: hold merged-tree tests (${opts.stamp})`);
  return {
    /** main once the queue is held: every merge the spec lands comes after it. */
    base,
    release: () => writeFileSync(releaseFile, "released\n"),
    restore() {
      writeFileSync(groveYaml, before);
      git(repo, ["rm", "-q", "queue-gate.mjs"]);
      commitOnMain(repo, `e2e: release merged-tree tests (${opts.stamp})`);
    },
  };
}

/** The task ids of the merges on main's first-parent line since `since`, oldest first. */
export function landedTasksSince(repo: string, since: string): string[] {
  const subjects = git(repo, ["log", "--first-parent", "--merges", "--reverse", "--format=%s", `${since}..main`]);
  return subjects
    .split("\n")
    .map((subject) => subject.match(/^Merge demo agent results \((.+)\)$/)?.[1])
    .filter((task): task is string => task !== undefined);
}
