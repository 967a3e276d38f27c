import type { MergeOutcome } from "@grove/core";
import { openRepo } from "@grove/core/node";
import { agentCommit, makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { landAgentBranch, type AuditSink } from "../merge/land-agent-branch.ts";
import { createMergeQueue, type MergeQueue, type MergeQueueOptions } from "../merge/merge-queue.ts";
import { createRunLeases } from "../run/run-leases.ts";

/**
 * The merged-tree test of the queue tests: logs `start <tree> <pid>` to a file outside the repository, waits
 * until the gate folder holds `all` or a file for every part in its tree, then fails if any part says
 * `"fail": true` and logs `passed <tree>` or `failed <tree>`.
 */
const QUEUE_TEST_SCRIPT = `
import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
const [log, gates] = process.argv.slice(2);
const tree = execFileSync("git", ["rev-parse", "HEAD^{tree}"], { encoding: "utf8" }).trim();
const parts = readdirSync("parts");
appendFileSync(log, \`start \${tree} \${process.pid} \${parts.join(",")}\\n\`);
const open = () => existsSync(join(gates, "all")) || parts.every((p) => existsSync(join(gates, p)));
while (!open()) await new Promise((r) => setTimeout(r, 20));
const bad = parts.some((p) => JSON.parse(readFileSync(join("parts", p), "utf8")).fail === true);
appendFileSync(log, \`\${bad ? "failed" : "passed"} \${tree}\\n\`);
process.exit(bad ? 1 : 0);
`;

export type QueueFixture = {
  repo: TempRepo;
  queue: MergeQueue;
  audits: Parameters<AuditSink>[0][];
  /** Commits `parts/<name>.json` (and `extra` files) on agent/<name>/t in its worktree (`path`). */
  branch(name: string, opts?: { fail?: boolean; extra?: Record<string, string> }): Promise<{ head: string; path: string }>;
  land(name: string, head: string): Promise<MergeOutcome>;
  openGate(name?: string): Promise<void>;
  log(): Promise<string[]>;
  /** The trees a test run saw pass. */
  passedTrees(): Promise<Set<string>>;
  /** The first-parent line of main, newest first: [commit, tree, parents]. */
  firstParents(): Promise<{ sha: string; tree: string; parents: string[] }[]>;
};

/** `config`: more grove.yaml lines (e.g. an `admission:` block). */
export async function makeQueueFixture(parallel: number, options: MergeQueueOptions = {}, config = ""): Promise<QueueFixture> {
  const repo = await makeTempRepo({
    files: { "README.md": "# queue\n", "parts/base.json": "{}\n", "queue-test.mjs": QUEUE_TEST_SCRIPT },
  });
  const logFile = join(repo.root, "test-log.txt");
  const gates = join(repo.root, "gates");
  await mkdir(gates);
  await writeFile(logFile, "");
  await writeFile(join(gates, "base.json"), "");
  const test = `"${process.execPath}" queue-test.mjs "${logFile}" "${gates}"`;
  await repo.write({ "grove.yaml": `test: '${test}'\nqueue:\n  parallel: ${parallel}\n${config}` });
  await repo.git(["add", "-A"]);
  await repo.git(["commit", "-q", "-m", "grove.yaml"]);
  const ctx = await openRepo(repo.dir);
  const queue = createMergeQueue(options);
  const audits: Parameters<AuditSink>[0][] = [];
  const leases = createRunLeases({ maxRuns: 8 });
  const log = async () => (await readFile(logFile, "utf8")).split("\n").filter((l) => l !== "");
  return {
    repo,
    queue,
    audits,
    async branch(name, opts = {}) {
      const files = { [`parts/${name}.json`]: JSON.stringify({ fail: opts.fail ?? false }), ...opts.extra };
      return agentCommit(repo, name, "t", files);
    },
    land(name, head) {
      // Submitted synchronously: the order of the calls is the order of approval.
      return landAgentBranch(
        { queue, leases, log: () => undefined, audit: (r) => audits.push(r) },
        {
          repo: ctx,
          integration: "main",
          branch: `agent/${name}/t`,
          headSha: head,
          runId: `run-${name}`,
          approval: { kind: "user", by: "ana@example.com" },
          context: { mergeRequestId: `mr-${name}` },
        },
      );
    },
    openGate: (name = "all") => writeFile(join(gates, name === "all" ? "all" : `${name}.json`), ""),
    log,
    async passedTrees() {
      return new Set((await log()).filter((l) => l.startsWith("passed ")).map((l) => l.split(" ")[1] ?? ""));
    },
    async firstParents() {
      const out = await repo.git(["log", "--first-parent", "--format=%H %T %P", "main"]);
      return out.split("\n").map((line) => {
        const [sha = "", tree = "", ...parents] = line.split(" ");
        return { sha, tree, parents };
      });
    },
  };
}

/** The `start` lines of the test log: [tree, pid, parts]. */
export function startsIn(log: string[]): { tree: string; pid: number; parts: string[] }[] {
  return log
    .filter((l) => l.startsWith("start "))
    .map((l) => {
      const [, tree = "", pid = "0", parts = ""] = l.split(" ");
      return { tree, pid: Number(pid), parts: parts.split(",") };
    });
}

/** After a test: its gates opened, its queue idle (no test process left), its repository removed. */
export async function closeQueueFixture(fx: QueueFixture | undefined): Promise<void> {
  await fx?.openGate();
  await fx?.queue.idle();
  await fx?.repo.cleanup();
}
