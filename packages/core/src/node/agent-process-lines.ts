import { MAX_LOG_LINE_CHARS } from "../schemas/log-row.ts";

export type LineSplitter = {
  push(chunk: Uint8Array): void;
  /** Emits whatever is left (a last line without a newline, an incomplete UTF-8 sequence). */
  end(): void;
};

/**
 * Turns a byte stream into text lines. Invalid or truncated UTF-8 becomes U+FFFD, CRLF becomes LF,
 * NUL becomes U+FFFD (databases refuse it in text), and a line longer than `maxChars` is emitted in
 * pieces, so memory stays bounded however long a line is.
 */
export function createLineSplitter(onLine: (text: string) => void, maxChars = MAX_LOG_LINE_CHARS): LineSplitter {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let partial = "";

  const emit = (text: string) => onLine(text.includes("\0") ? text.replaceAll("\0", "\uFFFD") : text);

  // Leaves at most `keep` chars; cuts never separate the halves of a surrogate pair.
  const emitPiecesAbove = (text: string, keep: number): string => {
    let rest = text;
    while (rest.length > keep) {
      let cut = maxChars;
      if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
      emit(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    return rest;
  };

  const emitLine = (line: string) => {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    emit(emitPiecesAbove(text, maxChars));
  };

  const take = (text: string) => {
    let start = 0;
    for (;;) {
      const newline = text.indexOf("\n", start);
      if (newline === -1) break;
      emitLine(partial + text.slice(start, newline));
      partial = "";
      start = newline + 1;
    }
    // One char of slack so a "\r" waiting for its "\n" is never cut off as a line of its own.
    partial = emitPiecesAbove(partial + text.slice(start), maxChars + 1);
  };

  return {
    push(chunk) {
      take(decoder.decode(chunk, { stream: true }));
    },
    end() {
      take(decoder.decode());
      if (partial.length > 0) emitLine(partial);
      partial = "";
    },
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
