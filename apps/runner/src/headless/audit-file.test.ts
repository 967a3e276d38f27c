import { verifyAuditExport } from "@grove/core";
import { sha256Hex } from "@grove/core/node";
import { runTsScript } from "@grove/core/test-support";
import { access, mkdtemp, readFile, realpath, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendLocalAudit, readLocalAudit } from "./audit-file.ts";

const appendScript = fileURLToPath(new URL("../test-support/append-audit.ts", import.meta.url));
const event = (action: string, subject = "agent/demo/t") => ({
  actorType: "runner" as const,
  actorId: "grove session run",
  action,
  subject,
});

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "grove-audit-file-")));
  file = join(dir, "audit", "session.jsonl");
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function waitForFiles(paths: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (
    !(
      await Promise.all(
        paths.map((p) =>
          access(p).then(
            () => true,
            () => false,
          ),
        ),
      )
    ).every(Boolean)
  ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${paths.join(", ")}`);
    await sleep(5);
  }
}

const verify = async () => verifyAuditExport((await readFile(file, "utf8")).split("\n"), sha256Hex);

describe("appendLocalAudit", () => {
  it("starts a chain at the genesis hash and continues it from the file's last event", async () => {
    const first = await appendLocalAudit(file, [event("worktree.created"), event("run.ended")]);
    const second = await appendLocalAudit(file, [
      { ...event("merge.rejected", "mr-1"), actorType: "user", actorId: "ann@example.com", details: { comment: "not yet" } },
    ]);
    expect([...first, ...second].map((e) => [e.id, e.action])).toEqual([
      [1, "worktree.created"],
      [2, "run.ended"],
      [3, "merge.rejected"],
    ]);
    expect(second[0]?.prevHash).toBe(first[1]?.hash);
    expect(await readLocalAudit(file)).toEqual([...first, ...second]);
    expect(await verify()).toMatchObject({ ok: true, count: 3, headHash: second[0]?.hash });
    await expect(readFile(`${file}.lock`)).rejects.toThrow();
  });

  it("lands the appends of one process in call order, even when none is awaited", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, n) => appendLocalAudit(file, [event("run.ended", `t${n}`)])));
    expect((await readLocalAudit(file)).map((e) => e.subject)).toEqual(Array.from({ length: 20 }, (_, n) => `t${n}`));
  });

  it("keeps one chain while two processes append at the same time", async () => {
    await appendLocalAudit(file, [event("run.ended")]);
    const go = join(dir, "go");
    const racers = ["a@example.com", "b@example.com"].map((actor) => runTsScript(appendScript, [file, actor, "25", go]));
    await waitForFiles([`${go}.a@example.com.ready`, `${go}.b@example.com.ready`]);
    await writeFile(go, "");
    expect((await Promise.all(racers)).map((r) => [r.code, r.stderr])).toEqual([
      [0, ""],
      [0, ""],
    ]);
    const entries = await readLocalAudit(file);
    expect(entries.map((e) => e.id)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
    expect(entries.filter((e) => e.actorId === "a@example.com")).toHaveLength(25);
    expect(await verify()).toMatchObject({ ok: true, count: 51 });
  });

  it("refuses to append to an edited file and leaves it as it is", async () => {
    await appendLocalAudit(file, [event("run.ended"), event("merge.completed")]);
    const edited = (await readFile(file, "utf8")).replace('"action":"run.ended"', '"action":"run.started"');
    await writeFile(file, edited);
    const error: unknown = await appendLocalAudit(file, [event("merge.approved")]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "AUDIT_BROKEN" });
    expect(error instanceof Error ? error.message : "").toMatch(
      /cannot be appended to: the chain breaks at event 1 \(line 1\): the event was edited/,
    );
    await expect(readLocalAudit(file)).rejects.toMatchObject({ code: "AUDIT_BROKEN" });
    expect(await readFile(file, "utf8")).toBe(edited);
  });

  it("reports a torn last line (a write cut off by a crash) and appends again once it is cut off", async () => {
    await appendLocalAudit(file, [event("worktree.created"), event("run.ended")]);
    const intact = await readFile(file, "utf8");
    const nextLine = intact.split("\n")[1] ?? "";
    await writeFile(file, intact + nextLine.slice(0, 40));

    const error: unknown = await appendLocalAudit(file, [event("merge.approved")]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "AUDIT_BROKEN" });
    const message = error instanceof Error ? error.message : "";
    expect(message).toContain(
      "its last line (line 3) is incomplete: a write was cut off, e.g. by a crash. The 2 event(s) before it verify.",
    );
    expect(message).toContain(`truncate -s ${Buffer.byteLength(intact)} '${file}'`);
    expect(await readFile(file, "utf8")).toBe(intact + nextLine.slice(0, 40));

    await truncate(file, Buffer.byteLength(intact));
    expect((await appendLocalAudit(file, [event("merge.approved")]))[0]?.id).toBe(3);
    expect(await verify()).toMatchObject({ ok: true, count: 3 });
  });
});
