import { describe, expect, it } from "vitest";
import { parseMergeTree } from "./parse-merge-tree.ts";

describe("parseMergeTree", () => {
  it("reads the tree of a clean merge", () => {
    expect(parseMergeTree(`${"b".repeat(40)}\0`)).toEqual({ tree: "b".repeat(40), conflicted: [] });
  });
  it("lists each conflicted file once", () => {
    expect(parseMergeTree(`${"b".repeat(40)}\0a.txt\0a.txt\0dir/b c.txt\0\0`)).toEqual({
      tree: "b".repeat(40),
      conflicted: ["a.txt", "dir/b c.txt"],
    });
  });
});
