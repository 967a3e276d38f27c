import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_LOG_LINE_CHARS } from "../schemas/log-row.ts";
import type { OutputStream } from "./agent-process-contract.ts";
import { startAgentProcess } from "./agent-process.ts";
import { createCaptureLines, replayCapture, type CapturePosition } from "./capture-lines.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "grove-capture-lines-")));
  dirs.push(dir);
  return dir;
}

// Short lines, CRLF, multi-byte characters, an invalid byte, and lines far longer than a log line, one of
// them ending the file without a newline: everything that makes a split point hard to resume from.
const long = "é".repeat(MAX_LOG_LINE_CHARS * 2 + 7);
const CONTENT = Buffer.concat([
  Buffer.from(`one\r\ntwo €\n\n${long}\nthree\n`),
  Buffer.from([0x66, 0xff, 0x0a]),
  Buffer.from(`${"🌲".repeat(MAX_LOG_LINE_CHARS)}\nfour\n${long}`),
]);

async function replayFrom(position: CapturePosition): Promise<string[]> {
  const lines: string[] = [];
  await replayCapture(position, { onLine: (text) => lines.push(text), onRead: () => undefined });
  return lines;
}

describe("capture lines", () => {
  it("read again from any position it reported, a file yields exactly the lines not yet delivered", async () => {
    const path = join(tempDir(), "stdout.log");
    writeFileSync(path, CONTENT);
    const all = await replayFrom({ path, offset: 0, lines: 0 });
    expect(all.slice(0, 4)).toEqual(["one", "two €", "", ...[long.slice(0, MAX_LOG_LINE_CHARS)]]);
    expect(all.join("")).toBe(CONTENT.toString("utf8").replace(/\r?\n/g, ""));

    // Cut into chunks of many sizes, as reads of a growing file are; every position reported on the way
    // must lead a reader to the rest, and only the rest.
    let midLine = 0;
    for (const size of [3, 7, 1000, 16_385, 65_536]) {
      const delivered: string[] = [];
      const lines = createCaptureLines({ path, offset: 0, lines: 0 }, (text) => delivered.push(text));
      const checks: { position: CapturePosition; count: number }[] = [];
      const every = Math.ceil(CONTENT.length / size / 60);
      for (let at = 0, push = 0; at < CONTENT.length; at += size, push++) {
        lines.push(CONTENT.subarray(at, at + size));
        if (push < 20 || push % every === 0) checks.push({ position: lines.position(), count: delivered.length });
      }
      midLine += checks.filter((check) => check.position.lines > 0).length;
      lines.end();
      expect(delivered).toEqual(all);
      expect(lines.position()).toEqual({ path, offset: CONTENT.length, lines: 0 });
      for (const { position, count } of checks)
        expect([...delivered.slice(0, count), ...(await replayFrom(position))]).toEqual(all);
    }
    // Some positions were inside an over-long line, after some of its pieces.
    expect(midLine).toBeGreaterThan(0);
  });

  it("reports positions of a live process's output that a later reader resumes from without loss or repeat", async () => {
    const dir = tempDir();
    const script = `let n = 0; const t = setInterval(() => { let s = ""; for (let i = 0; i < 200; i++) s += "line " + ++n + " " + "x".repeat(n % 50) + "\\n"; process.stdout.write(s); process.stderr.write("err " + n + "\\n"); if (n >= 4000) clearInterval(t); }, 1);`;
    const seen: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
    const reports: { stream: OutputStream; position: CapturePosition; count: number }[] = [];
    const proc = startAgentProcess([process.execPath, "-e", script], {
      cwd: dir,
      env: {},
      captureDir: join(dir, "capture"),
      isCaptureKept: true,
      onLine: (stream, text) => seen[stream].push(text),
      onRead: (stream, position) => reports.push({ stream, position, count: seen[stream].length }),
    });
    await proc.done;
    expect(seen.stdout).toHaveLength(4000);
    // The first report of each stream is its empty file; the last, its end.
    expect(reports.filter((r) => r.count === 0 && r.position.offset === 0).map((r) => r.stream)).toEqual(
      expect.arrayContaining(["stdout", "stderr"]),
    );
    for (const { stream, position, count } of reports) {
      expect([...seen[stream].slice(0, count), ...(await replayFrom(position))]).toEqual(seen[stream]);
    }
    expect(
      await replayCapture(
        { path: join(dir, "gone.log"), offset: 0, lines: 0 },
        { onLine: () => undefined, onRead: () => undefined },
      ),
    ).toBe(false);
  });

  it("replays with the line length the file was read with: a longer limit keeps a long line whole", async () => {
    const path = join(tempDir(), "stdout.log");
    writeFileSync(path, `${"a".repeat(MAX_LOG_LINE_CHARS * 2)}\nb\n`);
    const whole: string[] = [];
    await replayCapture(
      { path, offset: 0, lines: 0 },
      { onLine: (text) => whole.push(text), onRead: () => undefined },
      MAX_LOG_LINE_CHARS * 4,
    );
    expect(whole).toEqual(["a".repeat(MAX_LOG_LINE_CHARS * 2), "b"]);
    expect(await replayFrom({ path, offset: 0, lines: 0 })).toEqual([
      "a".repeat(MAX_LOG_LINE_CHARS),
      "a".repeat(MAX_LOG_LINE_CHARS),
      "b",
    ]);
  });
});
