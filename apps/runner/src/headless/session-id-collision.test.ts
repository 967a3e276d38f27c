import { AuditEntrySchema } from "@grove/core";
import { makeTempRepo, type TempRepo } from "@grove/core/test-support";
import { mkdir, mkdtemp, readdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";
import { claimSessionId } from "./claim-session-id.ts";

// A headless session's run ids, merge requests and audit file are named after its id; two sessions with one
// id would write over each other's records.

let repo: TempRepo;
let dataDir: string;
beforeEach(async () => {
  repo = await makeTempRepo({ files: { "README.md": "# ids\n", "grove.yaml": 'test: node -e "process.exit(0)"\n' } });
  dataDir = await realpath(await mkdtemp(join(tmpdir(), "grove-session-ids-")));
});
afterEach(async () => {
  await repo.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

async function runSession(name: string, plan: string) {
  const planPath = join(repo.root, `${name}.yaml`);
  await writeFile(planPath, plan);
  const args = ["session", "run", "--plan", planPath, "--data-dir", dataDir, "--approve", "manual", "--json"];
  return runGrove(args, { cwd: repo.dir, env: { GROVE_DEMO_DELAY_MS: "5" } });
}

const auditOf = async (sessionId: string) =>
  (await readFile(join(dataDir, "audit", `${sessionId}.jsonl`), "utf8"))
    .trim()
    .split("\n")
    .map((line) => AuditEntrySchema.parse(JSON.parse(line)));

describe("headless session ids", () => {
  it("two grove session run started at once (same minute) get their own ids, and each keeps its own records", async () => {
    const plan = (task: string) => `tasks:\n  - { agent: demo, task: ${task}, prompt: "lines=2" }\n`;
    const [first, second] = await Promise.all([runSession("a", plan("alpha")), runSession("b", plan("beta"))]);
    // Exit 3: each task's merge request waits for grove approve.
    expect(first.code, first.stderr).toBe(3);
    expect(second.code, second.stderr).toBe(3);
    const ids = [first, second].map((r) => (JSON.parse(r.stdout) as { sessionId: string }).sessionId);
    expect(ids[0]).not.toBe(ids[1]);
    for (const id of ids) expect(id).toMatch(/^session-\d{8}-\d{4}(-\d+)?$/);

    for (const [id, task] of [
      [ids[0], "alpha"],
      [ids[1], "beta"],
    ] as const) {
      const events = await auditOf(id ?? "");
      expect(events.some((e) => e.action === "run.ended" && e.runId === `${id}-demo-${task}`)).toBe(true);
      expect(events.every((e) => e.sessionId === id)).toBe(true);
    }
    const merges = (await readdir(join(dataDir, "merges"))).filter((n) => n.endsWith(".json")).sort();
    expect(merges).toEqual([`${ids[0]}-demo-alpha.json`, `${ids[1]}-demo-beta.json`].sort());
  });

  it("refuses a plan naming a session that already exists, changing nothing", async () => {
    const plan = (task: string) => `session: s-fixed\ntasks:\n  - { agent: demo, task: ${task}, prompt: "lines=1" }\n`;
    expect((await runSession("a", plan("alpha"))).code).toBe(3);
    const before = await readFile(join(dataDir, "audit", "s-fixed.jsonl"), "utf8");
    const again = await runSession("b", plan("beta"));
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('session "s-fixed" already exists');
    expect(await readFile(join(dataDir, "audit", "s-fixed.jsonl"), "utf8")).toBe(before);
    expect(await repo.git(["branch", "--list", "agent/demo/beta"])).toBe("");
  });

  it("claims the minute's id, then -2, -3 for sessions of the same minute; an older grove's session (audit file only) counts", async () => {
    const now = new Date(Date.UTC(2026, 0, 2, 3, 4));
    const claims = await Promise.all([1, 2, 3].map(() => claimSessionId(dataDir, undefined, now)));
    expect(claims.sort()).toEqual(["session-20260102-0304", "session-20260102-0304-2", "session-20260102-0304-3"]);
    const later = new Date(Date.UTC(2026, 0, 2, 3, 5));
    await mkdir(join(dataDir, "audit"));
    await writeFile(join(dataDir, "audit", "session-20260102-0305.jsonl"), "");
    expect(await claimSessionId(dataDir, undefined, later)).toBe("session-20260102-0305-2");
  });
});
