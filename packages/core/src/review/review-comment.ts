import { z } from "zod";
import { utf8ByteLength } from "../schemas/prompt.ts";

/** The most one reviewer comment may hold, in characters; a round's prompt is bounded in bytes as a whole too. */
export const MAX_REVIEW_COMMENT_CHARS = 4_000;
/** Line comments one request for changes may carry. */
export const MAX_LINE_COMMENTS = 50;
/**
 * The most a request for changes may say in all (comment, line comments' files and texts), in UTF-8 bytes: it
 * fits in a round's prompt beside grove's own words and the task, so nothing the reviewer wrote is cut.
 */
export const MAX_FEEDBACK_BYTES = 32_000;

const isControl = (char: string) => (char < " " && char !== "\t" && char !== "\n" && char !== "\r") || char === "\u007f";
const body = z
  .string()
  .trim()
  .min(1, "write the comment")
  .max(MAX_REVIEW_COMMENT_CHARS)
  .refine((text) => ![...text].some(isControl), "only tabs and line breaks may be in a comment, no other control character");

/** A comment on one line of a head's diff: the file as the diff names it (new side) and its line number there. */
export const LineCommentSchema = z.object({
  file: z
    .string()
    .trim()
    .min(1)
    .max(1_000)
    .refine((file) => ![...file].some((char) => char < " "), "a file name without control characters"),
  line: z.number().int().min(1).max(10_000_000),
  body,
});
export type LineComment = z.infer<typeof LineCommentSchema>;

/**
 * What a reviewer sends back to the agent: a general comment, line comments, or both. A plain object (the
 * dashboard's input fuzzing reads its bounds); `hasFeedback` says whether it says anything at all.
 */
export const ReviewFeedbackSchema = z.object({
  comment: z
    .string()
    .trim()
    .max(MAX_REVIEW_COMMENT_CHARS)
    .refine((text) => ![...text].some(isControl), "only tabs and line breaks may be in a comment, no other control character")
    .default(""),
  lineComments: z.array(LineCommentSchema).max(MAX_LINE_COMMENTS).default([]),
});
export type ReviewFeedback = z.infer<typeof ReviewFeedbackSchema>;

export function hasFeedback(feedback: ReviewFeedback): boolean {
  return feedback.comment.length > 0 || feedback.lineComments.length > 0;
}

/** The bytes of feedback a round's prompt quotes: the comment, and each line comment's file and text. */
export function feedbackBytes(feedback: Pick<ReviewFeedback, "comment" | "lineComments">): number {
  return feedback.lineComments.reduce(
    (sum, comment) => sum + utf8ByteLength(comment.file) + utf8ByteLength(comment.body),
    utf8ByteLength(feedback.comment),
  );
}

/** A zod refinement for a request for changes: refused, naming the limit, when its feedback is over MAX_FEEDBACK_BYTES. */
export function refineFeedbackBytes(feedback: Pick<ReviewFeedback, "comment" | "lineComments">, ctx: z.RefinementCtx) {
  const bytes = feedbackBytes(feedback);
  if (bytes > MAX_FEEDBACK_BYTES)
    ctx.addIssue({
      code: "custom",
      path: ["lineComments"],
      message: `The feedback is ${bytes.toLocaleString("en")} bytes; at most ${MAX_FEEDBACK_BYTES.toLocaleString("en")} bytes (the comment and all line comments together) can be sent back in one round.`,
    });
}
