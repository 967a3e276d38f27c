import { describe, expect, it } from "vitest";
import { MAX_PROMPT_BYTES, PromptSchema, utf8ByteLength } from "./prompt.ts";
import { SessionStartSchema } from "./events.ts";

const encoder = new TextEncoder();

describe("prompt limit", () => {
  it("counts bytes as UTF-8 does, astral characters and lone surrogates included", () => {
    for (const text of ["", "plain", "é", "€uro", "👩‍💻 code", "\ud83d", "a\udc00b", "\ud83d\ude00\ud83d"]) {
      expect(utf8ByteLength(text), JSON.stringify(text)).toBe(encoder.encode(text).byteLength);
    }
  });

  it("refuses 99,000 characters of 'é' (198,000 bytes), naming the limit", () => {
    const result = PromptSchema.safeParse("é".repeat(99_000));
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(
      /^the prompt is 198,000 bytes of UTF-8; at most 100,000 bytes are allowed \(an agent gets it as one command-line argument/,
    );
  });

  it("takes a prompt of exactly the limit, and the schemas a prompt travels in use it", () => {
    const atLimit = `${"€".repeat(33_333)}a`;
    expect(utf8ByteLength(atLimit)).toBe(MAX_PROMPT_BYTES);
    expect(PromptSchema.safeParse(atLimit).success).toBe(true);
    expect(PromptSchema.safeParse(`${atLimit}a`).success).toBe(false);
    const task = { runId: "r1", agent: "demo", taskId: "t1", profile: "demo" };
    const start = (prompt: string) =>
      SessionStartSchema.safeParse({ sessionId: "s", repoPath: "/r", integration: "main", tasks: [{ ...task, prompt }] }).success;
    expect(start(atLimit)).toBe(true);
    expect(start("é".repeat(99_000))).toBe(false);
  });
});
