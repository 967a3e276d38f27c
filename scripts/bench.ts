// `pnpm bench`: grove against a baseline measured in the same process, printed as ratios.
import { benchAgentOverhead } from "./bench/agent-overhead-bench.ts";
import { benchLatency, benchThroughput } from "./bench/log-bench.ts";
import { benchOverload } from "./bench/overload-bench.ts";
import { benchConcurrentCreates, benchCreateRemove } from "./bench/worktree-bench.ts";

const only = process.argv[2];
const sections: [string, () => Promise<string[]>][] = [
  [
    "worktrees",
    async () => [await benchCreateRemove(1_000, 10), await benchCreateRemove(20_000, 3), await benchConcurrentCreates(1_000)],
  ],
  [
    "logs",
    async () => [...(await benchThroughput(20, 100_000)), await benchLatency(2000, 5), await benchAgentOverhead(100_000, 25)],
  ],
  ["overload", benchOverload],
];

for (const [name, run] of sections) {
  if (only && only !== name) continue;
  console.log(`\n== ${name}`);
  for (const line of await run()) console.log(line);
}
