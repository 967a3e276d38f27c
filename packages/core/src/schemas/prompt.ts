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
  // exec takes C strings: a NUL byte ends an argument, and node refuses to spawn with one at all. Other
  // control characters (escape sequences among them) mean nothing to an agent, and each travels as six
  // bytes of JSON (\u001b): twenty prompts of them would outgrow session.start's body limit.
  const control = CONTROL_CHARACTER.exec(prompt);
  if (control) {
    const code = `U+${(control[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
    ctx.addIssue({
      code: "custom",
      message: `the prompt holds the control character ${code}; only tabs and line breaks may be in a prompt.`,
    });
  }
});

// C0 controls but tab, line feed and carriage return; DEL.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
