import { z } from "zod";

/**
 * The most a prompt may hold, in bytes of UTF-8. An agent CLI gets its prompt as (part of) one
 * command-line argument, and Linux refuses any argument over MAX_ARG_STRLEN (131072 bytes, its NUL
 * included) with E2BIG at spawn; the margin leaves room for what a profile puts around `{prompt}`
 * (`--message=`, an instruction). Counted in bytes: 99,000 characters of "é" are 198,000 bytes.
 */
export const MAX_PROMPT_BYTES = 100_000;

/** The largest argument exec accepts on Linux: MAX_ARG_STRLEN less the terminating NUL. */
export const MAX_ARG_BYTES = 131_071;

/** UTF-8 length of a string, as it will reach the child (a lone surrogate becomes U+FFFD, 3 bytes). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

export function describePromptTooLarge(bytes: number): string {
  return `the prompt is ${bytes.toLocaleString("en")} bytes of UTF-8; at most ${MAX_PROMPT_BYTES.toLocaleString("en")} bytes are allowed (an agent gets it as one command-line argument, which Linux caps at 128 KiB). Shorten it, or put the long part in a file in the repository and name that file in the prompt.`;
}

/** A task's prompt, wherever one enters grove (dashboard, plan file, hub → runner). */
export const PromptSchema = z.string().superRefine((prompt, ctx) => {
  const bytes = utf8ByteLength(prompt);
  if (bytes > MAX_PROMPT_BYTES) ctx.addIssue({ code: "custom", message: describePromptTooLarge(bytes) });
});
