import { LogStreamSchema, parseRunLogBatch, type LogLine } from "@grove/core";
import { fuzzParameters } from "@grove/core/test-support";
import fc from "fast-check";
import { mkdtemp, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRunSpool, type RunSpool } from "./spool.ts";

let dir: string;
let cases = 0;
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "grove-spool-fuzz-")));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 24 }),
  fc.constantFrom("", '"quoted"', "a\nb", "[1,2]", "\\", "\u0000", "é🌳"),
);
// A spool starts at seq 1, or (its earlier lines acknowledged and trimmed away) with a checkpoint at `start`.
const start = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: 1, max: 10_000 }));
const written = fc
  .tuple(
    start,
    fc.array(fc.record({ stream: fc.constantFrom(...LogStreamSchema.options), text, ts: fc.nat() }), {
      minLength: 1,
      maxLength: 30,
    }),
  )
  .map(([first, raw]): [number, LogLine[]] => [first, raw.map((line, i) => ({ ...line, seq: first + i + 1 }))]);
// How the writer got them: appends of a few lines each, some followed by a checkpoint.
const appends = fc.array(fc.tuple(fc.integer({ min: 1, max: 8 }), fc.option(fc.nat(), { nil: undefined })), {
  minLength: 1,
  maxLength: 10,
});

type Damage =
  | { kind: "truncate"; at: number }
  | { kind: "zero"; at: number; length: number }
  | { kind: "overwrite"; at: number; bytes: Uint8Array }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; length: number };
const insertion = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 6 }),
  fc
    .constantFrom(" ", "\n", "9", "99999999", "9007199254740990", "\r", "[", ",", '"', "\ufeff")
    .map((s) => new TextEncoder().encode(s)),
);
const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("zero" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ kind: fc.constant("overwrite" as const), at: fc.nat(), bytes: insertion }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: insertion }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 80 }) }),
);

function applyDamage(file: Buffer, change: Damage): Buffer {
  const at = change.at % (file.length + 1);
  switch (change.kind) {
    case "truncate":
      return file.subarray(0, at);
    case "zero":
      return Buffer.concat([
        file.subarray(0, at),
        Buffer.alloc(Math.min(change.length, file.length - at)),
        file.subarray(at + change.length),
      ]);
    case "overwrite":
      return Buffer.concat([file.subarray(0, at), change.bytes, file.subarray(at + change.bytes.length)]);
    case "insert":
      return Buffer.concat([file.subarray(0, at), change.bytes, file.subarray(at)]);
    case "delete":
      return Buffer.concat([file.subarray(0, at), file.subarray(at + change.length)]);
  }
}

/** Everything the spool would send, batch by batch from seq 0 (each checked as the hub checks it). */
async function sendAll(spool: RunSpool, maxBytes: number, maxLines: number): Promise<LogLine[]> {
  const sent: LogLine[] = [];
  // Where the log shipper starts when the hub has none of the run's lines.
  const from = spool.firstSeq() - 1;
  for (;;) {
    const afterSeq = sent.at(-1)?.seq ?? from;
    const batch = await spool.readBatch(afterSeq, maxBytes, maxLines);
    if (!batch) return sent;
    const parsed = parseRunLogBatch({ runId: "run", firstSeq: batch.firstSeq, lines: batch.body });
    if (!parsed.success) throw new Error(`the hub would refuse this batch: ${parsed.error}`);
    expect(parsed.data.lines.length).toBeLessThanOrEqual(maxLines);
    if (sent.length > 0) expect(batch.firstSeq).toBe(afterSeq + 1);
    sent.push(...parsed.data.lines);
  }
}

const lost = (seq: number) => `grove: log line ${seq} was lost (its row in the runner's spool was damaged)`;

describe("run spool after a crash or damage (property)", () => {
  it("a spool file the real writer wrote, then cut or damaged anywhere, opens without throwing and sends what it still holds", async () => {
    await fc.assert(
      fc.asyncProperty(
        written,
        appends,
        damage,
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 50 }),
        async ([first, lines], plan, change, maxBytes, maxLines) => {
          const path = join(dir, `run-${++cases}.jsonl`);
          const writer = await openRunSpool(path);
          if (first > 0) {
            await writer.append([], { at: "start" });
            await writer.trim(first);
          }
          for (let from = 0, step = 0; from < lines.length; step++) {
            const [count, checkpoint] = plan[step % plan.length] ?? [1, undefined];
            await writer.append(lines.slice(from, from + count), checkpoint);
            from += count;
          }
          await writer.close();
          const damaged = applyDamage(await readFile(path), change);
          await writeFile(path, damaged);

          const spool = await openRunSpool(path);
          const sent = await sendAll(spool, maxBytes, maxLines);
          // Whatever it holds, it can send: reading stops at its last line, not at a row it cannot cut.
          expect(sent.at(-1)?.seq ?? spool.firstSeq() - 1).toBe(spool.lastSeq());
          // A damaged file never grows into more than it could have held (no run of invented lines).
          expect((await stat(path)).size).toBeLessThanOrEqual(damaged.length * 8 + 4096);
          if (change.kind === "truncate") {
            // Cut short, as a crash leaves it: exactly the lines written, up to where the file ends.
            expect(sent).toEqual(lines.slice(0, sent.length));
          }
          if (change.kind === "zero") {
            // Zeroed blocks: each line sent is the one written with its seq, or says that it was lost.
            for (const line of sent) {
              const original = lines[line.seq - first - 1];
              expect(original).toBeDefined();
              if (line.text !== lost(line.seq) || line.stream !== "system") expect(line).toEqual(original);
            }
          }
          await spool.close({ remove: true });
        },
      ),
      fuzzParameters(0.3),
    );
  });
});
