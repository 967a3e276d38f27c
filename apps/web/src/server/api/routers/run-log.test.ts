import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_LOG_LINE_CHARS, type LogLine } from "@grove/core";
import { insertLogLines } from "@grove/db";
import { loadPage, LogStore, PAGE_SIZE } from "../../../lib/log/log-store.ts";
import { startTestHub, type TestHub } from "../../test-support/test-hub.ts";
import { LOG_PAGE_BYTES } from "./run.ts";

const LINES = 2000;
let hub: TestHub;
let runId: string;

// A full-width line (16 KiB of agent output) that names its seq, so a line in the wrong place shows.
const wide = (seq: number): LogLine => {
  const head = `line ${seq} `;
  return { seq, stream: "stdout", text: head + "x".repeat(MAX_LOG_LINE_CHARS - head.length), ts: seq };
};

beforeAll(async () => {
  hub = await startTestHub();
  const runner = await hub.db.runner.create({ data: { name: "r", tokenHash: "log-page-test" } });
  const session = await hub.db.agentSession.create({
    data: { id: "session-log-pages", runnerId: runner.id, repoPath: "/tmp/x", integration: "main", createdBy: "t" },
  });
  const run = await hub.db.run.create({
    data: {
      sessionId: session.id,
      agent: "demo",
      taskId: "wide",
      profile: "demo",
      prompt: "",
      branch: "agent/demo/wide",
      state: "running",
    },
  });
  runId = run.id;
  for (let first = 1; first <= LINES; first += 250) {
    await insertLogLines(
      hub.db,
      runId,
      Array.from({ length: 250 }, (_, i) => wide(first + i)),
    );
  }
});
afterAll(() => hub.close());

const textBytes = (lines: LogLine[]) => lines.reduce((sum, line) => sum + Buffer.byteLength(line.text), 0);

describe("run.log.list on a run of 2,000 lines of 16 KiB", () => {
  it("bounds a page in bytes, and paging through returns every line once, in order", async () => {
    const seen: number[] = [];
    let afterSeq: number | null = 0;
    while (afterSeq !== null) {
      const page = await hub.caller.run.log.list({ runId, afterSeq, limit: 2000 });
      expect(page.lines.length).toBeGreaterThan(0);
      expect(textBytes(page.lines)).toBeLessThanOrEqual(LOG_PAGE_BYTES);
      expect(page.lines).toEqual(page.lines.map((line) => wide(line.seq)));
      seen.push(...page.lines.map((line) => line.seq));
      afterSeq = page.nextAfterSeq;
    }
    expect(seen).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
  });

  it("answers three parallel pages of limit 2000 over HTTP, each within the bound", async () => {
    const cookie = await hub.signIn();
    const input = encodeURIComponent(JSON.stringify({ json: { runId, afterSeq: 0, limit: 2000 } }));
    const answers = await Promise.all(
      [0, 1, 2].map(() =>
        fetch(`${hub.server.url}/api/trpc/run.log.list?input=${input}`, { headers: { cookie } }).then((r) => r.text()),
      ),
    );
    for (const body of answers) {
      // JSON adds a few bytes a line (seq, stream, ts); the text itself is at most the bound.
      expect(Buffer.byteLength(body)).toBeLessThan(LOG_PAGE_BYTES + 64 * 1024);
      expect(body).toContain('"nextAfterSeq":');
    }
  });

  it("fills the dashboard's log store page by page although each answer stops early", async () => {
    const store = new LogStore(LINES / PAGE_SIZE);
    store.grow(LINES);
    let requests = 0;
    const fetchPage = (afterSeq: number, limit: number) => {
      requests += 1;
      return hub.caller.run.log.list({ runId, afterSeq, limit });
    };
    for (const page of store.claimMissing(1, LINES))
      await loadPage(fetchPage, page, (lines) => store.put(lines, { from: 1, to: LINES }));
    for (let seq = 1; seq <= LINES; seq++) expect(store.get(seq)?.text, `seq ${seq}`).toBe(wide(seq).text);
    // More requests than store pages: each store page took several byte-bounded answers.
    expect(requests).toBeGreaterThan(LINES / PAGE_SIZE);
    expect(store.claimMissing(1, LINES)).toEqual([]);
  });
});
