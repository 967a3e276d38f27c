import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MERGE_REQUEST_STATES, RUN_STATES } from "@grove/core";

// The schema's comments and README list the states for readers; core's lists are the source, so they must agree.
const ROOT = path.resolve(import.meta.dirname, "../../..");

/** The `a | b | c` list after `marker` on the one line of `text` that has it. */
function listAfter(text: string, marker: string): string[] {
  const lines = text.split("\n").filter((line) => line.includes(marker));
  expect(lines, marker).toHaveLength(1);
  const list = (lines[0] ?? "").slice((lines[0] ?? "").indexOf(marker) + marker.length);
  return list.split("|").map((state) => state.trim());
}

describe("the state lists written down for readers", () => {
  it("are core's lists in prisma/schema.prisma", async () => {
    const schema = await readFile(path.join(ROOT, "prisma/schema.prisma"), "utf8");
    expect(listAfter(schema, "// RUN_STATES of packages/core/src/lifecycle/lifecycle-states.ts:")).toEqual([...RUN_STATES]);
    expect(listAfter(schema, "// MERGE_REQUEST_STATES of packages/core/src/lifecycle/lifecycle-states.ts:")).toEqual([
      ...MERGE_REQUEST_STATES,
    ]);
  });

  it("are core's lists in README", async () => {
    const readme = await readFile(path.join(ROOT, "README.md"), "utf8");
    expect(listAfter(readme, "- run states:")).toEqual([...RUN_STATES]);
    expect(listAfter(readme, "- merge request states:")).toEqual([...MERGE_REQUEST_STATES]);
  });
});
