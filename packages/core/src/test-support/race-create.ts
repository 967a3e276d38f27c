// Child-process script for the cross-process race test: creates `count` agent worktrees concurrently
// and prints one JSON line with what happened. Usage: race-create.ts <repo> <agent> <count>
import { createAgentWorktree } from "../node/create-agent-worktree.ts";

const [repo = "", agent = "", countText = "0"] = process.argv.slice(2);
const results = await Promise.allSettled(
  Array.from({ length: Number(countText) }, (_, i) => createAgentWorktree({ repo, agent, taskId: `t${i}` })),
);
const failures = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
process.stdout.write(`${JSON.stringify({ ok: results.length - failures.length, failures })}\n`);
