import { utf8ByteLength } from "../schemas/prompt.ts";

/**
 * The prompt of a task's later round. Reviewers' words reach the agent only here, as the task's input,
 * quoted under a heading: never as a setting, a flag or a permission. Bounded in bytes: the runner gets it
 * as one command-line argument.
 */
export const MAX_ROUND_PROMPT_BYTES = 48_000;
const MAX_ORIGINAL_TASK_BYTES = 8_000;

type Comment = { body: string; file?: string | null; line?: number | null };

export type RoundPromptInput = {
  round: number;
  taskId: string;
  branch: string;
  /** The first round's task, repeated so a fresh conversation knows what the work is. */
  originalPrompt: string;
} & (
  | { kind: "changes-requested"; headSha: string; comments: readonly Comment[] }
  | { kind: "conflict"; integration: string; integrationSha: string | null; files: readonly string[] }
  | { kind: "tests-failed"; integration: string; integrationSha: string | null; command: string; outputTail: string }
  | { kind: "rerun"; previousState: string; previousError: string | null }
);

/**
 * Only the quoted part (comments, test output, file list, error) is ever cut to fit: grove's own framing (what
 * to do, the task) always reaches the agent whole.
 */
export function buildRoundPrompt(input: RoundPromptInput): string {
  const head = `Round ${input.round} of task ${input.taskId}, on your branch ${input.branch}.`;
  const task = `The task was:\n${indent(cutToBytes(input.originalPrompt, MAX_ORIGINAL_TASK_BYTES))}`;
  const { quoted, around } = whatHappened(input);
  const text = (body: string) => withoutControlCharacters([head, around(body), task].join("\n\n"));
  // A few bytes spare: framing around a non-empty quote can be longer than around none (": " for ".").
  const budget = MAX_ROUND_PROMPT_BYTES - utf8ByteLength(text("")) - 16;
  return text(cutToBytes(withoutControlCharacters(quoted), Math.max(budget, 0)));
}

/** Test output carries colour escapes; a prompt may hold no control character but tab and line breaks. */
function withoutControlCharacters(text: string): string {
  return [...text]
    .filter((char) => char >= " " || char === "\t" || char === "\n" || char === "\r")
    .join("")
    .replaceAll("\u007f", "");
}

/** What happened since the round before: `quoted` is the text others wrote (the part that may be cut), `around` grove's words. */
function whatHappened(input: RoundPromptInput): { quoted: string; around: (quoted: string) => string } {
  switch (input.kind) {
    case "changes-requested":
      return {
        quoted: input.comments.map(formatComment).join("\n"),
        around: (comments) =>
          [
            `A reviewer asked for changes to your work (head ${input.headSha.slice(0, 12)}). Their comments:`,
            comments,
            "Address every comment, then commit your changes on this branch.",
          ].join("\n\n"),
      };
    case "conflict":
      return {
        quoted: input.files.map((file) => `- ${file}`).join("\n") || "- (git named no file)",
        around: (files) =>
          [
            `Your branch could not be merged into ${input.integration}${at(input.integrationSha)}: it conflicts in`,
            files,
            `${input.integration} has been merged into your branch; resolve the conflicts keeping the intent of both sides, make the tests pass, and commit.`,
          ].join("\n"),
      };
    case "tests-failed":
      return {
        quoted: input.outputTail.replaceAll("~~~~", "~~~"),
        around: (tail) =>
          [
            `Your branch merged onto ${input.integration}${at(input.integrationSha)} makes the tests fail (\`${input.command}\`). The end of their output:`,
            `~~~~\n${tail}\n~~~~`,
            `${input.integration} has been merged into your branch; make the tests pass on the merged tree and commit.`,
          ].join("\n\n"),
      };
    case "rerun":
      return {
        quoted: input.previousError ?? "",
        around: (error) =>
          `The previous round ended ${input.previousState}${error ? `: ${error}` : "."} Do the task again on this branch and commit your work.`,
      };
  }
}

function formatComment(comment: Comment): string {
  const where = comment.file ? `${comment.file}${comment.line ? `:${comment.line}` : ""}` : "(general)";
  return `- ${where}:\n${indent(comment.body)}`;
}

const at = (sha: string | null) => (sha ? ` (at ${sha.slice(0, 12)})` : "");
const indent = (text: string) =>
  text
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");

/** Cuts `text` to at most `maxBytes` of UTF-8 on a character boundary, saying how much was cut. */
export function cutToBytes(text: string, maxBytes: number): string {
  if (utf8ByteLength(text) <= maxBytes) return text;
  if (maxBytes < 64) return "";
  const note = (cut: number) => `\n[… ${cut.toLocaleString("en")} bytes cut]`;
  const budget = maxBytes - utf8ByteLength(note(utf8ByteLength(text)));
  let kept = "";
  let bytes = 0;
  for (const char of text) {
    const size = utf8ByteLength(char);
    if (bytes + size > budget) break;
    kept += char;
    bytes += size;
  }
  return kept + note(utf8ByteLength(text) - bytes);
}
