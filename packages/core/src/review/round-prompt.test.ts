import { describe, expect, it } from "vitest";
import { PromptSchema, utf8ByteLength } from "../schemas/prompt.ts";
import { buildRoundPrompt, cutToBytes, MAX_ROUND_PROMPT_BYTES } from "./round-prompt.ts";
import { feedbackBytes, hasFeedback, MAX_FEEDBACK_BYTES, refineFeedbackBytes, ReviewFeedbackSchema } from "./review-comment.ts";

const base = { round: 2, taskId: "login", branch: "agent/demo/login", originalPrompt: "add a login form" };

describe("buildRoundPrompt", () => {
  it("quotes every comment with its file and line, and the original task", () => {
    const prompt = buildRoundPrompt({
      ...base,
      kind: "changes-requested",
      headSha: "a".repeat(40),
      comments: [{ body: "rename this", file: "src/app.ts", line: 12 }, { body: "also add a test\nfor the empty case" }],
    });
    expect(prompt).toContain("Round 2 of task login, on your branch agent/demo/login.");
    expect(prompt).toContain("- src/app.ts:12:\n    rename this");
    expect(prompt).toContain("- (general):\n    also add a test\n    for the empty case");
    expect(prompt).toContain("The task was:\n    add a login form");
  });

  it("names the conflicting files and the integration head of a merge sent back", () => {
    const prompt = buildRoundPrompt({
      ...base,
      round: 3,
      kind: "conflict",
      integration: "main",
      integrationSha: "b".repeat(40),
      files: ["shared.txt"],
    });
    expect(prompt).toContain("could not be merged into main (at bbbbbbbbbbbb): it conflicts in\n- shared.txt");
  });

  it("keeps the failing tests' tail without its colour escapes", () => {
    const prompt = buildRoundPrompt({
      ...base,
      kind: "tests-failed",
      integration: "main",
      integrationSha: null,
      command: "npm test",
      outputTail: "\u001b[31mFAIL\u001b[0m sum.test.js",
    });
    expect(prompt).toContain("[31mFAIL[0m sum.test.js");
    expect(PromptSchema.safeParse(prompt).success).toBe(true);
  });

  it("stays within its byte bound however long the comments, and is a prompt the runner accepts", () => {
    const comments = Array.from({ length: 50 }, (_, i) => ({ body: "é".repeat(4000), file: `f${i}.ts`, line: i + 1 }));
    const prompt = buildRoundPrompt({ ...base, kind: "changes-requested", headSha: "c".repeat(40), comments });
    expect(utf8ByteLength(prompt)).toBeLessThanOrEqual(MAX_ROUND_PROMPT_BYTES);
    expect(prompt).toMatch(/\[… [\d,]+ bytes cut\]\n\nAddress every comment/);
    expect(PromptSchema.safeParse(prompt).success).toBe(true);
  });

  it("cuts only the quoted text, never grove's own words or the task", () => {
    const comments = Array.from({ length: 50 }, (_, i) => ({ body: "x".repeat(4000), file: `f${i}.ts`, line: i + 1 }));
    const prompt = buildRoundPrompt({ ...base, kind: "changes-requested", headSha: "c".repeat(40), comments });
    expect(utf8ByteLength(prompt)).toBeLessThanOrEqual(MAX_ROUND_PROMPT_BYTES);
    expect(prompt).toMatch(/^Round 2 of task login/);
    expect(prompt).toContain("Address every comment, then commit your changes on this branch.");
    expect(prompt).toMatch(/The task was:\n {4}add a login form$/);
    const rerun = buildRoundPrompt({ ...base, kind: "rerun", previousState: "failed", previousError: "e".repeat(60_000) });
    expect(utf8ByteLength(rerun)).toBeLessThanOrEqual(MAX_ROUND_PROMPT_BYTES);
    expect(rerun).toContain("Do the task again on this branch and commit your work.");
  });

  it("cuts on a character boundary", () => {
    expect(cutToBytes("short", 100)).toBe("short");
    const cut = cutToBytes("😀".repeat(100), 60);
    expect(utf8ByteLength(cut)).toBeLessThanOrEqual(60);
    expect(cut).not.toContain("\uFFFD");
  });
});

describe("ReviewFeedbackSchema", () => {
  it("wants a comment or a line comment, without control characters", () => {
    expect(hasFeedback(ReviewFeedbackSchema.parse({ comment: "  " }))).toBe(false);
    expect(hasFeedback(ReviewFeedbackSchema.parse({ lineComments: [{ file: "a.ts", line: 1, body: "x" }] }))).toBe(true);
    expect(ReviewFeedbackSchema.safeParse({ comment: "red \u001b[31m" }).success).toBe(false);
    expect(
      ReviewFeedbackSchema.safeParse({ comment: "x", lineComments: [{ file: "a\u0000", line: 1, body: "x" }] }).success,
    ).toBe(false);
  });
});

describe("the bytes of feedback", () => {
  const bounded = ReviewFeedbackSchema.superRefine(refineFeedbackBytes);
  const lineComments = (n: number, chars: number) =>
    Array.from({ length: n }, (_, i) => ({ file: `f${i}.ts`, line: 1, body: "x".repeat(chars) }));

  it("refuses feedback over the limit, naming it", () => {
    const big = bounded.safeParse({ comment: "x".repeat(4000), lineComments: lineComments(50, 4000) });
    expect(big.success).toBe(false);
    expect(big.error?.issues[0]?.message).toMatch(/at most 32,000 bytes \(the comment and all line comments together\)/);
  });

  it("accepts feedback up to the limit, whose round prompt then quotes it whole", () => {
    const feedback = bounded.parse({ comment: "", lineComments: lineComments(7, 4000) });
    expect(feedbackBytes(feedback)).toBeLessThanOrEqual(MAX_FEEDBACK_BYTES);
    const prompt = buildRoundPrompt({
      ...base,
      originalPrompt: "t".repeat(8000),
      kind: "changes-requested",
      headSha: "c".repeat(40),
      comments: feedback.lineComments,
    });
    expect(prompt).not.toContain("bytes cut]");
  });
});
