import type { Db } from "../client.ts";
import { queuedRunsData } from "../runs.ts";

let seeded = 0;

/** A runner, a session and one queued run of it, as the hub creates them. */
export async function seedRun(db: Db): Promise<{ runId: string; sessionId: string; branch: string }> {
  const n = ++seeded;
  const runner = await db.runner.create({
    data: { name: `runner-${n}`, tokenHash: `token-${n}-${Date.now()}` },
  });
  const branch = `agent/demo/t${n}`;
  const session = await db.agentSession.create({
    data: {
      id: `session-test-${n}-${runner.id}`,
      runnerId: runner.id,
      repoPath: "/repo",
      integration: "main",
      createdBy: "u1",
      runs: {
        create: queuedRunsData([{ agent: "demo", taskId: `t${n}`, profile: "p", prompt: "do it", branch }]),
      },
    },
    include: { runs: true },
  });
  return { runId: session.runs[0]?.id ?? "", sessionId: session.id, branch };
}
