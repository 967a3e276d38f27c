import { describe, expect, it } from "vitest";
import { createLineSplitter } from "./agent-process-lines.ts";

function split(chunks: (string | Uint8Array)[], maxChars?: number): string[] {
  const lines: string[] = [];
  const splitter = createLineSplitter((line) => lines.push(line), maxChars);
  for (const chunk of chunks) splitter.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  splitter.end();
  return lines;
}

describe("createLineSplitter", () => {
  it("joins partial lines across chunks and keeps empty lines", () => {
    expect(split(["hel", "lo\nwor", "ld\n\nlast"])).toEqual(["hello", "world", "", "last"]);
  });

  it("treats CRLF as a line end, even when the CR and LF arrive in different chunks", () => {
    expect(split(["a\r\nb\r", "\nc\r\n"])).toEqual(["a", "b", "c"]);
  });

  it("emits nothing for empty output and nothing extra after a final newline", () => {
    expect(split([])).toEqual([]);
    expect(split(["one\n"])).toEqual(["one"]);
  });

  it("splits a very long line into pieces no longer than the limit", () => {
    const lines = split(["x".repeat(25), "y".repeat(10), "\nz\n"], 10);
    expect(lines).toEqual(["x".repeat(10), "x".repeat(10), "x".repeat(5) + "y".repeat(5), "y".repeat(5), "z"]);
    expect(split(["a".repeat(10) + "\r\n"], 10)).toEqual(["a".repeat(10)]);
  });

  it("never cuts a surrogate pair in half", () => {
    const lines = split(["abc😀def\n"], 4);
    expect(lines.join("")).toBe("abc😀def");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(4);
    expect(lines[0]).toBe("abc");
  });

  it("decodes multi-byte characters split between chunks", () => {
    const bytes = Buffer.from("grüße 😀\n");
    expect(split([bytes.subarray(0, 3), bytes.subarray(3, 9), bytes.subarray(9)])).toEqual(["grüße 😀"]);
  });

  it("replaces invalid UTF-8 and NUL bytes instead of failing", () => {
    const lines = split([new Uint8Array([0x61, 0xff, 0xfe, 0x00, 0x62, 0x0a, 0xe2, 0x82])]);
    expect(lines).toEqual(["a\uFFFD\uFFFD\uFFFDb", "\uFFFD"]);
  });

  it("keeps ANSI colour escapes", () => {
    expect(split(["\u001b[32mok\u001b[0m\n"])).toEqual(["\u001b[32mok\u001b[0m"]);
  });
});
