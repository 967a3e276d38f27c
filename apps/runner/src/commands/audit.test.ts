import { AUDIT_GENESIS_HASH, auditJsonLine, canonicalAuditEvent, type AuditEntry } from "@grove/core";
import { sha256Hex } from "@grove/core/node";
import { mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runGrove } from "../test-support/grove-process.ts";

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "grove-audit-cli-")));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

function ledger(n: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let prevHash = AUDIT_GENESIS_HASH;
  for (let id = 1; id <= n; id++) {
    const fields = {
      prevHash,
      ts: 1_700_000_000_000 + id,
      actorType: "runner",
      actorId: "r1",
      action: "merge.completed",
      subject: `agent/demo/t${id}`,
      sessionId: null,
      runId: `run-${id}`,
      branch: `agent/demo/t${id}`,
      sha: "a".repeat(40),
      details: { n: id, note: 'quotes " and \u00e9' },
    };
    const hash = sha256Hex(canonicalAuditEvent({ ...fields, details: JSON.stringify(fields.details) }));
    entries.push({ id, ...fields, hash });
    prevHash = hash;
  }
  return entries;
}

async function write(name: string, entries: AuditEntry[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, entries.map(auditJsonLine).join(""));
  return path;
}

describe("grove audit verify", () => {
  it("verifies an intact export and prints its head to keep as an anchor", async () => {
    const entries = ledger(3);
    const result = await runGrove(["audit", "verify", await write("ok.jsonl", entries)], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Audit chain verified: 3 events, head ${entries[2]?.hash ?? ""}.`);
    const anchored = await runGrove(["audit", "verify", "ok.jsonl", "--anchor", entries[1]?.hash ?? ""], { cwd: dir });
    expect(anchored.stdout).toContain("(anchor found)");
  });

  it("exits 1 on an edited, a deleted or a reordered event, and on a cut-off tail past the anchor", async () => {
    const entries = ledger(4);
    const edited = entries.map((e) => (e.id === 2 ? { ...e, actorId: "mallory" } : e));
    const cases: [string, AuditEntry[], RegExp][] = [
      ["edited.jsonl", edited, /BROKEN at event 2: the event was edited/],
      ["deleted.jsonl", entries.filter((e) => e.id !== 3), /BROKEN at event 4: an event before it was deleted/],
      ["reordered.jsonl", [entries[0], entries[2], entries[1], entries[3]].filter((e) => e !== undefined), /BROKEN at event 3/],
    ];
    for (const [name, list, message] of cases) {
      const result = await runGrove(["audit", "verify", await write(name, list)], { cwd: dir });
      expect(result.code, name).toBe(1);
      expect(result.stderr).toMatch(message);
    }
    const cut = await runGrove(
      ["audit", "verify", await write("cut.jsonl", entries.slice(0, 2)), "--anchor", entries[3]?.hash ?? ""],
      { cwd: dir },
    );
    expect(cut.code).toBe(1);
    expect(cut.stderr).toContain("is not in it: events were cut off the end");
  });

  it("a file that is no audit export is bad input (exit 2), not a broken chain; a bad line later in one is", async () => {
    const cases: [string, string, string][] = [
      ["passwd", "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/sh\n", "line 1 is not JSON"],
      ["other.json", '\n{"name":"app","version":"1.0.0"}\n', "line 2 is not an exported audit event"],
    ];
    for (const [name, text, reason] of cases) {
      await writeFile(join(dir, name), text);
      const result = await runGrove(["audit", "verify", name], { cwd: dir });
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toContain(`grove: not a grove audit export: ${reason}`);
      expect(result.stderr, name).not.toContain("BROKEN");
    }
    const path = await write("tail.jsonl", ledger(2));
    await writeFile(path, `${await readFile(path, "utf8")}root:x:0:0:root:/root:/bin/bash\n`);
    const tail = await runGrove(["audit", "verify", path], { cwd: dir });
    expect(tail.code).toBe(1);
    expect(tail.stderr).toContain("Audit chain BROKEN: line 3 is not JSON (2 event(s) before it verified).");
  });

  it("refuses a partial export and explains a missing file or hub", async () => {
    const partial = await runGrove(["audit", "verify", await write("partial.jsonl", ledger(3).slice(1))], { cwd: dir });
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain("does not start at the first event");
    const missing = await runGrove(["audit", "verify", "nope.jsonl"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^grove: cannot read .*nope\.jsonl: no such file\n/);
    expect(missing.stderr).not.toContain("ENOENT");
    const folder = await runGrove(["audit", "verify", dir], { cwd: dir });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`cannot read ${dir}: it is a directory`);
    const nothing = await runGrove(["audit", "verify"], { cwd: dir, env: { GROVE_HUB_URL: undefined } });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("give an export file, or --hub URL");
  });
});
