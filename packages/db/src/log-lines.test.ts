import { afterAll, beforeAll, expect, it } from "vitest";
import { encodeLogLines } from "@grove/core";
import { appendAuditEvent } from "./audit.ts";
import type { Db } from "./client.ts";
import { countLogLines, insertLogLines, listLogLines, listLogLinesOfStream, searchLogLines } from "./log-lines.ts";
import { listLogPage } from "./log-page.ts";
import { makeTempDb } from "./test-support/temp-db.ts";

let db: Db;
let cleanup: () => Promise<void>;
let runId: string;

async function newRun(taskId: string): Promise<string> {
  const run = await db.run.create({
    data: {
      sessionId: "session-1",
      agent: "demo",
      taskId,
      profile: "demo",
      prompt: "",
      branch: `agent/demo/${taskId}`,
      state: "running",
    },
  });
  return run.id;
}

beforeAll(async () => {
  ({ db, cleanup } = await makeTempDb());
  const runner = await db.runner.create({ data: { name: "r", tokenHash: "h" } });
  await db.agentSession.create({
    data: { id: "session-1", runnerId: runner.id, repoPath: "/tmp/x", integration: "main", createdBy: "u" },
  });
  runId = await newRun("t1");
});
afterAll(() => cleanup());

const line = (seq: number) => ({
  seq,
  stream: "stdout" as const,
  text: `line ${seq} \u001b[32mgreen\u001b[0m 'quoted'`,
  ts: 1000 + seq,
});

it("persists batches idempotently and acks only the contiguous prefix", async () => {
  expect(await insertLogLines(db, runId, [1, 2, 3].map(line))).toBe(3);
  // Overlapping a stored batch: only the new line is stored.
  expect(await insertLogLines(db, runId, [2, 3, 4].map(line))).toBe(4);
  // A batch after a gap is not stored: the runner resends from the acknowledged seq.
  expect(await insertLogLines(db, runId, [7, 8].map(line))).toBe(4);
  expect(await insertLogLines(db, runId, [5, 6].map(line))).toBe(6);
  expect(await insertLogLines(db, runId, [5, 6, 7, 8].map(line))).toBe(8);
  // A resend of stored lines, or nothing at all, changes nothing.
  expect(await insertLogLines(db, runId, [1, 2].map(line))).toBe(8);
  expect(await insertLogLines(db, runId, [])).toBe(8);
  // Out of order or with a hole inside: not stored.
  expect(await insertLogLines(db, runId, [10, 9].map(line))).toBe(8);
  expect(await insertLogLines(db, runId, [9, 11].map(line))).toBe(8);
  const stored = await listLogLines(db, runId, 0);
  expect(stored.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(stored).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map(line));
  expect((await listLogLines(db, runId, 6)).map((l) => l.seq)).toEqual([7, 8]);
  expect(await countLogLines(db, [runId])).toBe(8);
  expect((await db.run.findUniqueOrThrow({ where: { id: runId } })).lastSeq).toBe(8);
});

it("pages across chunks from any seq, within the limit", async () => {
  const lines = Array.from({ length: 3000 }, (_, i) => line(9 + i));
  expect(await insertLogLines(db, runId, lines.slice(0, 1000))).toBe(1008);
  expect(await insertLogLines(db, runId, lines.slice(1000))).toBe(3008);
  for (const [since, limit] of [
    [0, 5000],
    [7, 3],
    [1006, 5],
    [1500, 2000],
    [3007, 10],
    [3008, 10],
  ] as const) {
    const expected = Array.from({ length: Math.max(0, Math.min(limit, 3008 - since)) }, (_, i) => since + 1 + i);
    expect((await listLogLines(db, runId, since, limit)).map((l) => l.seq)).toEqual(expected);
  }
});

it("lists one stream and searches text across chunks", async () => {
  const start = (await countLogLines(db, [runId])) + 1;
  const batch = ["compile ok", "warning: 50% done_now", "test FAILED", "test passed"].map((text, i) => ({
    seq: start + i,
    stream: i % 2 ? ("stderr" as const) : ("stdout" as const),
    text,
    ts: 5 + i,
  }));
  expect(await insertLogLines(db, runId, batch)).toBe(start + 3);
  expect(await listLogLinesOfStream(db, runId, "stderr", start - 1, 10)).toEqual([batch[1], batch[3]]);
  expect(await listLogLinesOfStream(db, runId, "stderr", start + 1, 10)).toEqual([batch[3]]);
  expect(await searchLogLines(db, runId, "TEST", start - 1, 10)).toEqual([start + 2, start + 3]);
  expect(await searchLogLines(db, runId, "test", start + 2, 10)).toEqual([start + 3]);
  // LIKE's wildcards in the query are plain characters.
  expect(await searchLogLines(db, runId, "50%", 0, 10)).toEqual([start + 1]);
  expect(await searchLogLines(db, runId, "%", 0, 10)).toEqual([start + 1]);
  expect(await searchLogLines(db, runId, "e_n", 0, 10)).toEqual([start + 1]);
  expect(await searchLogLines(db, runId, "line 1", 0, 3)).toEqual([1, 10, 11]);
});

it("stores a batch's encoded lines as received, and re-encodes only the new part of an overlapping batch", async () => {
  const start = (await countLogLines(db, [runId])) + 1;
  const lines = [0, 1, 2].map((i) => ({ ...line(start + i), text: `encoded ${i}` }));
  // Spacing the hub would never produce itself shows the text was stored as given.
  const encoded = `[ ${lines.map((l) => JSON.stringify([l.stream, l.text, l.ts])).join(" , ")} ]`;
  expect(await insertLogLines(db, runId, lines.slice(0, 2), encoded.replace(/ , \[[^\]]*\] \]$/, " ]"))).toBe(start + 1);
  const [chunk] = await db.logChunk.findMany({ where: { runId, firstSeq: start } });
  expect(chunk?.lines.startsWith("[ [")).toBe(true);
  expect(await insertLogLines(db, runId, lines, encoded)).toBe(start + 2);
  const [tail] = await db.logChunk.findMany({ where: { runId, firstSeq: start + 2 } });
  expect(tail?.lines).toBe(encodeLogLines([lines[2] ?? line(0)]));
  expect(await listLogLines(db, runId, start - 1)).toEqual(lines);
});

it("keeps text byte for byte: ANSI, quotes, backslashes, unicode, JSON-looking text", async () => {
  const start = (await listLogLines(db, runId, 0)).length + 1;
  const texts = [
    "\u001b[1;31mred\u001b[0m",
    `"quoted" 'single' \\ back\\slash`,
    "emoji 🌳 ünïcødé 中文",
    '{"seq": 1, "text": "x"}',
    "tab\there",
    "",
  ];
  const lines = texts.map((text, i) => ({
    seq: start + i,
    stream: i % 2 ? ("stderr" as const) : ("stdout" as const),
    text,
    ts: 10 ** 12 + i,
  }));
  expect(await insertLogLines(db, runId, lines)).toBe(start + texts.length - 1);
  expect(await listLogLines(db, runId, start - 1)).toEqual(lines);
});

it("a log batch waits for the hub's own interactive transaction and neither fails", async () => {
  const otherRun = await newRun("locking");
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  // A real interactive transaction that has written and now waits on the event loop.
  const transaction = db.$transaction(async (tx) => {
    await tx.run.update({ where: { id: otherRun }, data: { state: "testing" } });
    await held;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const write = insertLogLines(db, otherRun, [{ seq: 1, stream: "stdout", text: "hello", ts: 1 }]);
  await new Promise((resolve) => setTimeout(resolve, 100));
  release();
  await transaction;
  expect(await write).toBe(1);
  await appendAuditEvent(db, { actorType: "system", actorId: "t", action: "x", subject: "y" });
});

it("bounds a page in bytes as well as lines, and pages through every line once, in order", async () => {
  const pageRun = await newRun("t-bytes");
  const wide = (seq: number) => ({
    seq,
    stream: seq % 3 === 0 ? ("test" as const) : ("stdout" as const),
    text: `${seq} ${"é".repeat(8000)}`,
    ts: seq,
  });
  for (let first = 1; first <= 2000; first += 100) {
    expect(
      await insertLogLines(
        db,
        pageRun,
        Array.from({ length: 100 }, (_, i) => wide(first + i)),
      ),
    ).toBe(first + 99);
  }
  const maxBytes = 1024 * 1024;
  for (const stream of [undefined, "test" as const]) {
    const seen: number[] = [];
    let afterSeq: number | null = 0;
    while (afterSeq !== null) {
      const page = await listLogPage(db, pageRun, afterSeq, { limit: 2000, maxBytes, stream });
      expect(page.lines.length).toBeGreaterThan(0);
      expect(page.lines.reduce((sum, l) => sum + Buffer.byteLength(l.text), 0)).toBeLessThanOrEqual(maxBytes);
      expect(page.lines).toEqual(page.lines.map((l) => wide(l.seq)));
      seen.push(...page.lines.map((l) => l.seq));
      afterSeq = page.nextAfterSeq;
    }
    const expected = Array.from({ length: 2000 }, (_, i) => i + 1).filter((seq) => !stream || seq % 3 === 0);
    expect(seen).toEqual(expected);
  }
  // A line larger than the bound still comes, alone, so paging moves on; the line limit holds too.
  expect((await listLogPage(db, pageRun, 0, { limit: 2000, maxBytes: 10 })).lines.map((l) => l.seq)).toEqual([1]);
  expect(await listLogPage(db, pageRun, 5, { limit: 3, maxBytes })).toMatchObject({ nextAfterSeq: 8 });
  expect(await listLogPage(db, pageRun, 1990, { limit: 10, maxBytes })).toMatchObject({ nextAfterSeq: null });
  expect(await listLogPage(db, pageRun, 2000, { limit: 10, maxBytes, stream: "test" })).toEqual({
    lines: [],
    nextAfterSeq: null,
  });
});

it("reads each field of a stored row in SQL where core's row codec puts it (LOG_ROW)", async () => {
  const id = await newRun("codec-columns");
  // Every field holds what another field could: a query reading the wrong index finds the wrong lines.
  const lines = [
    { seq: 1, stream: "stderr" as const, text: "stdout", ts: 7 },
    { seq: 2, stream: "stdout" as const, text: "stderr", ts: 8 },
  ];
  expect(await insertLogLines(db, id, lines, encodeLogLines(lines))).toBe(2);
  expect(await listLogLinesOfStream(db, id, "stderr", 0, 10)).toEqual([lines[0]]);
  expect(await searchLogLines(db, id, "stdout", 0, 10)).toEqual([1]);
  expect(await searchLogLines(db, id, "8", 0, 10)).toEqual([]);
  expect(await listLogPage(db, id, 0, { limit: 10, maxBytes: 1000, stream: "stdout" })).toEqual({
    lines: [lines[1]],
    nextAfterSeq: null,
  });
  expect(await listLogLines(db, id, 0, 10)).toEqual(lines);
});

it("keeps the kind of a row the runner rendered from an agent's events, stored and read back every way", async () => {
  const id = await newRun("row-kinds");
  const lines = [
    { seq: 1, stream: "stdout" as const, text: "→ shell ls", ts: 1, kind: "tool" as const },
    { seq: 2, stream: "stdout" as const, text: "→ shell ls", ts: 2 },
  ];
  expect(await insertLogLines(db, id, lines, encodeLogLines(lines))).toBe(2);
  expect(await listLogLines(db, id, 0, 10)).toEqual(lines);
  expect(await listLogLinesOfStream(db, id, "stdout", 0, 10)).toEqual(lines);
  expect(await listLogPage(db, id, 0, { limit: 10, maxBytes: 1000 })).toEqual({ lines, nextAfterSeq: null });
});
