import { ResultSchema } from "@grove/core";
import { fuzzParameters, hasPlainPrototypes } from "@grove/core/test-support";
import fc from "fast-check";
import { mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readResult, resultFromFinalAnswer, type ResultRead } from "./read-result.ts";

let dir: string;
beforeAll(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), "grove-result-fuzz-")));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const key = fc.constantFrom(
  "status",
  "summary",
  "learnings",
  "files",
  "followUps",
  "title",
  "body",
  "tags",
  "__proto__",
  "constructor",
);
const loose = fc.jsonValue({ maxDepth: 2 });
const learning = fc.record(
  {
    title: fc.oneof(fc.string({ maxLength: 5 }), loose),
    body: fc.string(),
    tags: fc.array(fc.string({ maxLength: 60 }), { maxLength: 3 }),
  },
  { requiredKeys: [] },
);
// Close to a RESULT, so that many are accepted, with extra keys (`__proto__` among them) and wrong types mixed in.
const resultLike = fc
  .tuple(
    fc.record(
      {
        status: fc.oneof(fc.constantFrom("done", "partial", "failed", "ok"), loose),
        summary: fc.oneof(fc.string({ maxLength: 50 }), loose),
        learnings: fc.array(learning, { maxLength: 3 }),
        files: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
        followUps: fc.oneof(fc.array(fc.string({ maxLength: 20 }), { maxLength: 2 }), loose),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(key, loose, { maxKeys: 2 }),
  )
  .map(([fields, extra]) => JSON.stringify({ ...extra, ...fields }));
const text = fc.oneof(
  { weight: 4, arbitrary: resultLike },
  { weight: 1, arbitrary: resultLike.chain((json) => fc.nat().map((at) => json.slice(0, at % (json.length + 1)))) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v) ?? "") },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
);

function expectOneOutcome(read: ResultRead): void {
  if (read.result) {
    expect(read.resultError).toBeNull();
    expect(ResultSchema.safeParse(read.result).success).toBe(true);
    expect(hasPlainPrototypes(read.result)).toBe(true);
  } else {
    expect(read.resultError?.length).toBeGreaterThan(0);
    expect(read.resultError?.length).toBeLessThanOrEqual(10_000);
  }
  expect(({} as Record<string, unknown>).status).toBeUndefined();
}

describe("RESULT (property)", () => {
  it("any file is a schema-valid RESULT or a bounded reason why not — never a throw", async () => {
    let cases = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 5, arbitrary: text.map((t) => Buffer.from(t)) },
          { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }) },
        ),
        async (bytes) => {
          const path = join(dir, `RESULT-${++cases}.json`);
          await writeFile(path, bytes);
          const read = await readResult(path);
          expectOneOutcome(read);
          if (read.result) accepted++;
          await rm(path);
        },
      ),
      fuzzParameters(0.5),
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it("refuses a RESULT over 1 MiB unread", async () => {
    const path = join(dir, "big.json");
    await writeFile(path, JSON.stringify({ status: "done", summary: "x", padding: "y".repeat(1024 * 1024) }));
    expect((await readResult(path)).resultError).toMatch(/bytes; the limit is 1048576/);
  });

  it("any final answer of an agent becomes a schema-valid RESULT", () => {
    const answer = fc.oneof(
      text,
      text.map((t) => `Here it is:\n\`\`\`json\n${t}\n\`\`\`\n`),
      fc.string({ unit: "binary", maxLength: 300 }),
    );
    fc.assert(
      fc.property(answer, fc.boolean(), (t, isError) => {
        const read = resultFromFinalAnswer({ text: t, isError });
        expectOneOutcome(read);
        expect(read.result).not.toBeNull();
      }),
      fuzzParameters(),
    );
  });
});
