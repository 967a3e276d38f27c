import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_LOG_LINE_CHARS, MAX_QUERY_DIFF_BYTES, type LogLine } from "@grove/core";
import { waitFor } from "@grove/testing";
import { startTestStack, type TestStack } from "./test-support/stack.ts";

const WIDE_LINES = 60;
// An agent that prints 60 lines of 16,000 three-byte characters (many full 512 KiB log batches) and commits
// 4.5 MB of them (a diff far past what one socket message holds).
const AGENT = [
  'const fs = require("node:fs"), cp = require("node:child_process");',
  `const line = "語".repeat(${MAX_LOG_LINE_CHARS - 384});`,
  `for (let i = 0; i < ${WIDE_LINES}; i++) process.stdout.write("wide " + i + " " + line + "\\n");`,
  'fs.writeFileSync("wide.txt", ("語".repeat(999) + "\\n").repeat(1500));',
  'cp.execFileSync("git", ["add", "wide.txt"]);',
  'cp.execFileSync("git", ["commit", "-q", "-m", "wide text"]);',
].join("\n");
const GROVE_YAML = JSON.stringify({
  test: 'node -e "process.exit(0)"',
  agents: { wide: { command: ["node", "-e", AGENT, "--", "{prompt}"] } },
});

let stack: TestStack;
let runId = "";

beforeAll(async () => {
  stack = await startTestStack({ repoFiles: { "README.md": "# app\n", "grove.yaml": GROVE_YAML } });
  const session = await stack.caller.session.start({ tasks: [{ agent: "wide", prompt: "print wide lines" }] });
  runId = session.runIds[0] ?? "";
  await waitFor(
    async () => (await stack.db.run.findUnique({ where: { id: runId } }))?.headSha,
    120_000,
    () => `run report\n${stack.runnerOutput()}`,
  );
}, 180_000);
afterAll(() => stack.close());

async function readWholeLog(): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  let afterSeq: number | null = 0;
  while (afterSeq !== null) {
    const page = await stack.caller.run.log.list({ runId, afterSeq, limit: 2000 });
    lines.push(...page.lines);
    afterSeq = page.nextAfterSeq;
  }
  return lines;
}

describe("the real runner's largest messages fit the hub's socket limit", () => {
  it("ships every wide line in full (batches of 512 KiB of three-byte characters)", async () => {
    await waitFor(
      async () => (await readWholeLog()).filter((l) => l.text.startsWith("wide ")).length === WIDE_LINES,
      60_000,
      () => stack.runnerOutput(),
    );
    const wide = (await readWholeLog()).filter((l) => l.text.startsWith("wide "));
    expect(wide.map((l) => l.text.split(" ")[1])).toEqual(Array.from({ length: WIDE_LINES }, (_, i) => String(i)));
    expect(wide.every((l) => l.text.endsWith("語".repeat(MAX_LOG_LINE_CHARS - 384)))).toBe(true);
    expect(stack.runnerOutput()).not.toMatch(/larger than the hub accepts/);
  });

  it("answers a 4.5 MB diff with its first megabyte, and stays connected", async () => {
    const diff = await stack.caller.run.diff({ id: runId });
    expect(diff.stat).toContain("wide.txt");
    expect(diff.isTruncated).toBe(true);
    expect(Buffer.byteLength(diff.patch)).toBeGreaterThan(MAX_QUERY_DIFF_BYTES * 0.9);
    expect(Buffer.byteLength(diff.patch)).toBeLessThanOrEqual(MAX_QUERY_DIFF_BYTES);
    expect(stack.server.hub.isRunnerOnline(stack.runnerId)).toBe(true);
    expect(stack.runnerOutput()).not.toMatch(/disconnected from hub/);
  });
});
