// `pnpm bench`: grove against a baseline measured in the same process, printed as ratios.
import { benchAdmission } from "./bench/admission-bench.ts";
import { benchAgentOverhead } from "./bench/agent-overhead-bench.ts";
import { benchLatency, benchThroughput } from "./bench/log-bench.ts";
import { benchOverload } from "./bench/overload-bench.ts";
import { benchCliStart } from "./bench/cli-start-bench.ts";
import { benchQueue } from "./bench/queue-bench.ts";
import { benchDependencyReuse, benchWarmMergeTree } from "./bench/warm-bench.ts";
import { benchTeam } from "./bench/team-bench.ts";
import { benchAddRemove, benchConcurrentAdds, benchParallelAddRemove } from "./bench/worktree-bench.ts";

const only = process.argv[2];
const sections: [string, () => Promise<string[]>][] = [
  [
    "worktrees",
    async () => [
      ...(await benchAddRemove(1_000, 10, 1.25)),
      ...(await benchAddRemove(40_000, 5, 1.1)),
      await benchConcurrentAdds(1_000, 3),
      await benchParallelAddRemove(40_000, 10),
      await benchCliStart(9),
    ],
  ],
  [
    "logs",
    async () => [...(await benchThroughput(20, 100_000)), await benchLatency(2000, 5), await benchAgentOverhead(100_000, 25)],
  ],
  ["overload", benchOverload],
  ["queue", async () => [...(await benchQueue()), await benchWarmMergeTree(40_000, 3), ...(await benchDependencyReuse(3))]],
  ["admission", () => benchAdmission()],
  [
    "team",
    // One instance on SQLite, then two on a durable PostgreSQL + Redis started for the bench, in the same run.
    // GROVE_BENCH_TEAM_LINES: lines per agent (100k by default).
    () =>
      benchTeam(
        [
          { name: "one instance, SQLite", instances: 1 },
          { name: "two instances, PostgreSQL + Redis", instances: 2, services: "postgresql+redis" },
        ],
        Number(process.env.GROVE_BENCH_ROUNDS ?? 1),
        Number(process.env.GROVE_BENCH_TEAM_LINES ?? 100_000),
      ),
  ],
];

for (const [name, run] of sections) {
  if (only && only !== name) continue;
  console.log(`\n== ${name}`);
  for (const line of await run()) console.log(line);
}
