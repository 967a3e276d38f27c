import { existsSync } from "node:fs";
import type { LogLine } from "@grove/core";
import { appendFile, mkdtemp, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseRunLogBatch } from "@grove/core";
import { createMemoryBudget } from "./spool-recent-lines.ts";
import { openRunSpool, type RunSpool } from "./spool.ts";

/** What the spool would send after `afterSeq`, decoded as the hub decodes it. */
async function readAfter(spool: RunSpool, afterSeq: number, maxBytes: number, maxLines?: number): Promise<LogLine[]> {
  const batch = await spool.readBatch(afterSeq, maxBytes, maxLines);
  if (!batch) return [];
  const parsed = parseRunLogBatch({ runId: "run", firstSeq: batch.firstSeq, lines: batch.body });
  if (!parsed.success) throw new Error(parsed.error);
  expect(parsed.data.lines.at(-1)?.seq).toBe(batch.lastSeq);
  return parsed.data.lines;
}

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "grove-spool-")));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const lines = (from: number, to: number, text = "line"): LogLine[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, stream: "stdout", text: `${text} ${from + i}`, ts: 1 }));

describe("run spool", () => {
  it("reads back what was appended, after any seq, within the byte budget", async () => {
    const spool = await openRunSpool(join(dir, "run.jsonl"));
    await spool.append(lines(1, 3));
    await spool.append(lines(4, 10));
    expect(spool.lastSeq()).toBe(10);
    // A budget smaller than any line still yields one line.
    expect((await readAfter(spool, 0, 1)).map((l) => l.seq)).toEqual([1]);
    expect((await readAfter(spool, 2, 1_000_000, 4)).map((l) => l.seq)).toEqual([3, 4, 5, 6]);
    expect((await readAfter(spool, 0, 1_000_000)).map((l) => l.seq)).toEqual(lines(1, 10).map((l) => l.seq));
    expect((await readAfter(spool, 5, 1_000_000)).map((l) => l.seq)).toEqual([6, 7, 8, 9, 10]);
    expect(await readAfter(spool, 10, 1_000_000)).toEqual([]);
    await spool.close();
  });

  it("empties the file once everything is acknowledged, and keeps counting", async () => {
    const path = join(dir, "run.jsonl");
    const spool = await openRunSpool(path);
    await spool.append(lines(1, 5));
    await spool.trim(3);
    expect((await readAfter(spool, 3, 1_000_000)).map((l) => l.seq)).toEqual([4, 5]);
    await spool.trim(5);
    expect((await stat(path)).size).toBe(0);
    expect(spool.lastSeq()).toBe(5);
    await spool.append(lines(6, 7));
    expect((await readAfter(spool, 5, 1_000_000)).map((l) => l.seq)).toEqual([6, 7]);
    await spool.close({ remove: true });
    await expect(stat(path)).rejects.toThrow();
  });

  it("rewrites a large file without its acknowledged part", async () => {
    const path = join(dir, "run.jsonl");
    const spool = await openRunSpool(path);
    const long = "x".repeat(1000);
    for (let from = 1; from <= 10_000; from += 1000) await spool.append(lines(from, from + 999, long));
    const before = (await stat(path)).size;
    await spool.trim(9000);
    expect((await stat(path)).size).toBeLessThan(before / 5);
    // In batches the hub takes (MAX_LOG_BATCH_CHARS), as the shipper reads them.
    const rest: LogLine[] = [];
    for (
      let after = 9000, batch = await readAfter(spool, after, 512 * 1024);
      batch.length > 0;
      batch = await readAfter(spool, after, 512 * 1024)
    ) {
      rest.push(...batch);
      after = rest[rest.length - 1]?.seq ?? after;
    }
    expect(rest.map((l) => l.seq)).toEqual(lines(9001, 10_000).map((l) => l.seq));
    await spool.append(lines(10_001, 10_001, long));
    expect((await readAfter(spool, 10_000, 1_000_000)).map((l) => l.text)).toEqual([`${long} 10001`]);
    await spool.close();
  });

  it("reopens a spool bigger than one read chunk with every line in order", async () => {
    const path = join(dir, "run.jsonl");
    const first = await openRunSpool(path);
    await first.append(lines(1, 3000, "y".repeat(1000)));
    await first.close();
    const reopened = await openRunSpool(path);
    expect(reopened.lastSeq()).toBe(3000);
    const seen: number[] = [];
    for (
      let batch = await readAfter(reopened, 0, 300_000);
      batch.length > 0;
      batch = await readAfter(reopened, seen.at(-1) ?? 0, 300_000)
    ) {
      seen.push(...batch.map((l) => l.seq));
    }
    expect(seen).toEqual(lines(1, 3000).map((l) => l.seq));
    await reopened.close();
  });

  it("reopens an existing spool after a crash, dropping a torn last line", async () => {
    const path = join(dir, "run.jsonl");
    const first = await openRunSpool(path);
    await first.append(lines(1, 4));
    await first.close();
    await appendFile(path, '{"seq":5,"stream":"stdout","te');

    const reopened = await openRunSpool(path);
    expect(reopened.lastSeq()).toBe(4);
    await reopened.append(lines(5, 5));
    expect((await readAfter(reopened, 0, 1_000_000)).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await readFile(path, "utf8")).split("\n").filter(Boolean)).toHaveLength(5);
    await reopened.close();
  });

  it("serves the newest lines from memory and older ones from the file, the same lines either way", async () => {
    const path = join(dir, "run.jsonl");
    const spool = await openRunSpool(path);
    // About 3 MB: more than the spool keeps in memory.
    for (let from = 1; from <= 30_000; from += 1000) await spool.append(lines(from, from + 999, "z".repeat(80)));
    const readAll = async (target: typeof spool) => {
      const seen: LogLine[] = [];
      for (
        let batch = await readAfter(target, 0, 200_000, 1500);
        batch.length > 0;
        batch = await readAfter(target, seen.at(-1)?.seq ?? 0, 200_000, 1500)
      ) {
        expect(batch.length).toBeLessThanOrEqual(1500);
        seen.push(...batch);
      }
      return seen;
    };
    const live = await readAll(spool);
    expect(live).toEqual(lines(1, 30_000, "z".repeat(80)));
    await spool.close();
    // A reopened spool has nothing in memory: everything comes from the file.
    const reopened = await openRunSpool(path);
    expect(await readAll(reopened)).toEqual(live);
    await reopened.trim(29_990);
    expect((await readAfter(reopened, 29_990, 1_000_000)).map((l) => l.seq)).toEqual(lines(29_991, 30_000).map((l) => l.seq));
    await reopened.close();
  });

  it("reads rows an earlier runner wrote as objects", async () => {
    const path = join(dir, "run.jsonl");
    const old = lines(1, 3).map((l) => JSON.stringify(l));
    await appendFile(path, `${old.join("\n")}\n`);
    const spool = await openRunSpool(path);
    expect(spool.lastSeq()).toBe(3);
    await spool.append(lines(4, 5));
    expect(await readAfter(spool, 0, 1_000_000)).toEqual(lines(1, 5));
    await spool.close();
  });

  it("repairs a file damaged in the middle when it is opened: a lost row becomes a system line, the rest is sent", async () => {
    const good = await openRunSpool(join(dir, "good.jsonl"));
    await good.append(lines(11, 20));
    await good.close();
    const rows = (await readFile(join(dir, "good.jsonl"), "utf8")).split("\n");
    // Row of seq 13 gone, row of seq 15 garbled after an intact "[15," prefix, row of seq 17 garbled whole.
    rows.splice(2, 1);
    rows[3] = "[15,\u0000\u0000garbage";
    rows[5] = "\u0000\u0000\u0000";
    rows.splice(6, 0, JSON.stringify({ checkpoint: { at: 18 }, seq: 18 }));
    const path = join(dir, "damaged.jsonl");
    await appendFile(path, `${rows.join("\n")}\n[21,"stdout","torn`);

    const spool = await openRunSpool(path);
    expect(spool.lastSeq()).toBe(20);
    expect(spool.checkpoint()).toEqual({ at: 18 });
    const lost = (seq: number) => ({
      seq,
      stream: "system",
      text: `grove: log line ${seq} was lost (its row in the runner's spool was damaged)`,
      ts: 1,
    });
    const expected = lines(11, 20).map((line) => ([13, 15, 17].includes(line.seq) ? lost(line.seq) : line));
    expect(await readAfter(spool, 10, 1_000_000)).toEqual(expected);
    expect(await readAfter(spool, 14, 1_000_000)).toEqual(expected.slice(4));
    await spool.append(lines(21, 22));
    await spool.close();
    // The repaired file reads back whole, and is not repaired again.
    const reopened = await openRunSpool(path);
    expect(await readAfter(reopened, 10, 1_000_000)).toEqual([...expected, ...lines(21, 22)]);
    await reopened.close();
    expect(existsSync(`${path}.repair`)).toBe(false);
  });

  it("takes a row it could not cut, a seq no damage accounts for, or lines missing before a checkpoint for damage (found by spool.fuzz)", async () => {
    const lost = (seq: number) => ({
      seq,
      stream: "system",
      text: `grove: log line ${seq} was lost (its row in the runner's spool was damaged)`,
      ts: 1,
    });
    const cases: [string, (rows: string) => string][] = [
      // JSON.parse reads it, but the reader cuts a row at "[" and its first comma: it stalled shipping at seq 2.
      ["a space before a row", (rows) => rows.replace("\n[2,", "\n [2,")],
      // Believed, it wrote 2 million "lost" lines (200 MB) into the spool.
      ["a digit flipped into a seq", (rows) => rows.replace("\n[2,", "\n[2000000,")],
    ];
    for (const [name, damage] of cases) {
      const path = join(dir, `${name}.jsonl`);
      const writer = await openRunSpool(path);
      await writer.append(lines(1, 3));
      await writer.close();
      await writeFile(path, damage(await readFile(path, "utf8")));
      const spool = await openRunSpool(path);
      expect(await readAfter(spool, 0, 1_000_000), name).toEqual([lines(1, 1)[0], lost(2), lines(3, 3)[0]]);
      await spool.close();
    }
    // The row of line 2 and the newline after it lost; the checkpoint after it says line 2 was written.
    const path = join(dir, "checkpoint.jsonl");
    const writer = await openRunSpool(path);
    await writer.append(lines(1, 1), { at: 1 });
    await writer.append(lines(2, 2), { at: 2 });
    await writer.close();
    const rows = (await readFile(path, "utf8")).split("\n");
    await writeFile(path, `${rows[0]}\n${rows[1]}\u0000${rows[2]}\n${rows[3]}\n`);
    const spool = await openRunSpool(path);
    // Before, the spool said it held line 2 but could never read it back: shipping stopped there for good.
    expect([spool.lastSeq(), spool.checkpoint()]).toEqual([1, { at: 2 }]);
    expect(await readAfter(spool, 0, 1_000_000)).toEqual(lines(1, 1));
    await spool.close();
  });

  it("keeps the last checkpoint through trims, rewrites and reopens, and never sends it as a line", async () => {
    const path = join(dir, "run.jsonl");
    const spool = await openRunSpool(path);
    await spool.append(lines(1, 5), { at: "a" });
    await spool.append([], { at: "b" });
    expect(spool.checkpoint()).toEqual({ at: "b" });
    expect((await readAfter(spool, 0, 1_000_000)).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
    // Lines after the checkpoint, then everything acknowledged and the file rewritten: only the checkpoint stays.
    const long = "x".repeat(1000);
    for (let from = 6; from <= 6005; from += 1000) await spool.append(lines(from, from + 999, long));
    await spool.trim(6005);
    expect((await readFile(path, "utf8")).split("\n").filter(Boolean)).toEqual([
      JSON.stringify({ checkpoint: { at: "b" }, seq: 6005 }),
    ]);
    await spool.append(lines(6006, 6007), { at: "c" });
    await spool.close();

    const reopened = await openRunSpool(path);
    expect(reopened.checkpoint()).toEqual({ at: "c" });
    expect([reopened.firstSeq(), reopened.lastSeq()]).toEqual([6006, 6007]);
    expect((await readAfter(reopened, 6005, 1_000_000)).map((l) => l.seq)).toEqual([6006, 6007]);
    await reopened.trim(6007);
    await reopened.close();
    // All acknowledged but not worth a rewrite: the lines stay in the file, and so does the seq they reached.
    const again = await openRunSpool(path);
    expect([again.checkpoint(), again.lastSeq()]).toEqual([{ at: "c" }, 6007]);
    await again.close();
  });

  it("continues after a seq past its last line, with the checkpoint, in a file that reopens undamaged", async () => {
    const path = join(dir, "run.jsonl");
    const spool = await openRunSpool(path);
    await spool.append(lines(1, 3), { at: 3 });
    // The hub has lines up to 10 that this spool never had (say, its file was emptied before a crash).
    await spool.trim(10);
    expect([spool.firstSeq(), spool.lastSeq()]).toEqual([11, 10]);
    await spool.append(lines(11, 12));
    expect((await readAfter(spool, 10, 1_000_000)).map((l) => l.seq)).toEqual([11, 12]);
    await spool.close();
    const reopened = await openRunSpool(path);
    expect([reopened.checkpoint(), reopened.firstSeq(), reopened.lastSeq()]).toEqual([{ at: 3 }, 11, 12]);
    expect(
      (await readFile(path, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((row) => row.slice(0, 4)),
    ).toEqual(['{"ch', "[11,", "[12,"]);
    expect((await readAfter(reopened, 10, 1_000_000)).map((l) => l.seq)).toEqual([11, 12]);
    await reopened.close();
  });

  it("keeps the spools' shared memory window within its budget, and reads the rest from the files", async () => {
    const budget = createMemoryBudget(64 * 1024);
    const spools = await Promise.all([1, 2, 3].map((n) => openRunSpool(join(dir, `run-${n}.jsonl`), { recentWindow: budget })));
    for (let from = 1; from <= 3000; from += 500) {
      for (const spool of spools) {
        await spool.append(lines(from, from + 499, "w".repeat(60)));
        expect(budget.used).toBeLessThanOrEqual(budget.max);
      }
    }
    expect(budget.used).toBeGreaterThan(0);
    for (const spool of spools) expect(await readAfter(spool, 0, 10_000_000, 5000)).toEqual(lines(1, 3000, "w".repeat(60)));
    await spools[0]?.trim(3000);
    for (const spool of spools) await spool.close();
    expect(budget.used).toBe(0);
  });
});
