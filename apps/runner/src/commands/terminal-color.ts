/**
 * Whether grove's own output to a stream may carry colour: never with NO_COLOR set (https://no-color.org),
 * always with FORCE_COLOR set (but to "0" or "false"), else only on a terminal — a pipe or a file gets none.
 */
export function wantsColor(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  return stream.isTTY === true;
}

// CSI (colours, cursor moves), OSC (titles, links) to its BEL or ST, and any other ESC with the byte after it.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[\s\S]?)/g;

/** The text without terminal escape sequences: what a log line shows where colour is not wanted. */
export function withoutEscapes(text: string): string {
  return text.replace(ESCAPES, "");
}
