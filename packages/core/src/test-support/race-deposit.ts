// Child-process script for the cross-process deposit race: deposits `count` RESULTs concurrently and
// prints one JSON line with how many landed. Usage: race-deposit.ts <repo> <prefix> <count>
import { depositBrain } from "../node/deposit-brain.ts";

const [repo = "", prefix = "", countText = "0"] = process.argv.slice(2);
const results = await Promise.allSettled(
  Array.from({ length: Number(countText) }, (_, i) =>
    depositBrain({
      repo,
      into: "main",
      brain: "project-brain",
      result: { status: "done", summary: "s", learnings: [{ title: `${prefix} ${i}`, body: "b" }] },
      source: {
        runId: `run-${prefix}-${i}`,
        sessionId: null,
        agent: "demo",
        taskId: `${prefix}-${i}`,
        branch: `agent/demo/${prefix}-${i}`,
        headSha: "a".repeat(40),
        mergeSha: "b".repeat(40),
        approvedBy: null,
        at: Date.now(),
      },
    }),
  ),
);
const deposited = results.filter((r) => r.status === "fulfilled" && r.value.kind === "deposited").length;
const failures = results.flatMap((r) =>
  r.status === "rejected" ? [String(r.reason)] : r.value.kind === "refused" ? [r.value.reason] : [],
);
process.stdout.write(`${JSON.stringify({ deposited, failures })}\n`);
