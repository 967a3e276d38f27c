/** What one log row holds once its escape sequences are delimited: text, colour changes, and link edges. */
export type AnsiToken = { kind: "text"; text: string } | { kind: "sgr"; params: string } | { kind: "link"; uri: string };

const ESC = "\u001b";
const BEL = "\u0007";
const ST_C1 = "\u009c";
/** ESC-introduced control strings that run until a string terminator: OSC, DCS, APC, PM, SOS. */
const STRING_INTRODUCERS = new Set(["]", "P", "_", "^", "X"]);
/** C0 and C1 controls and DEL, except TAB: invisible in a terminal, so never shown. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

const isIn = (ch: string | undefined, from: number, to: number) =>
  ch !== undefined && ch.charCodeAt(0) >= from && ch.charCodeAt(0) <= to;

/**
 * Splits ONE row into tokens, with nothing carried in or out: a sequence that is not complete within
 * the row (an unterminated OSC 8 link, a CSI cut off at the end) is dropped here and cannot reach the
 * next row. Only SGR (colour) and OSC 8 (link) sequences survive; every other sequence is dropped,
 * and so are stray control characters. Linear in the row's length.
 */
export function tokenizeAnsiRow(row: string): AnsiToken[] {
  const tokens: AnsiToken[] = [];
  let text = "";
  const flush = () => {
    const visible = text.replace(CONTROL, "");
    if (visible) tokens.push({ kind: "text", text: visible });
    text = "";
  };
  let i = 0;
  while (i < row.length) {
    const at = row.indexOf(ESC, i);
    if (at === -1) {
      text += row.slice(i);
      break;
    }
    text += row.slice(i, at);
    const next = row[at + 1];
    if (next === "[") {
      const csi = readCsi(row, at + 2);
      if (csi.final === "m" && /^[0-9;]*$/.test(csi.params)) {
        flush();
        tokens.push({ kind: "sgr", params: csi.params });
      }
      i = csi.end;
    } else if (next !== undefined && STRING_INTRODUCERS.has(next)) {
      const str = readControlString(row, at + 2);
      if (next === "]" && str.isTerminated) {
        const uri = parseOsc8(str.payload);
        if (uri !== null) {
          flush();
          tokens.push({ kind: "link", uri });
        }
      }
      i = str.end;
    } else {
      i = skipEscape(row, at + 1);
    }
  }
  flush();
  return tokens;
}

/** CSI parameters, intermediates, final byte (ECMA-48 5.4). An incomplete or malformed CSI has no final. */
function readCsi(row: string, from: number): { params: string; final: string | null; end: number } {
  let j = from;
  while (isIn(row[j], 0x30, 0x3f)) j++;
  const params = row.slice(from, j);
  let hasIntermediates = false;
  while (isIn(row[j], 0x20, 0x2f)) {
    hasIntermediates = true;
    j++;
  }
  const ch = row[j];
  if (isIn(ch, 0x40, 0x7e) && ch !== undefined) return { params, final: hasIntermediates ? null : ch, end: j + 1 };
  // Cut off by the end of the row, or by a byte that cannot be in a CSI: drop what was read, keep that byte.
  return { params, final: null, end: j };
}

/**
 * A control string runs to BEL, ESC \ or C1 ST. Another ESC aborts it there (the ESC starts the next
 * sequence); the end of the row aborts it too, so an unterminated string swallows only the rest of its row.
 */
function readControlString(row: string, from: number): { payload: string; isTerminated: boolean; end: number } {
  for (let j = from; j < row.length; j++) {
    const ch = row[j];
    if (ch === BEL || ch === ST_C1) return { payload: row.slice(from, j), isTerminated: true, end: j + 1 };
    if (ch === ESC) {
      if (row[j + 1] === "\\") return { payload: row.slice(from, j), isTerminated: true, end: j + 2 };
      return { payload: "", isTerminated: false, end: j };
    }
  }
  return { payload: "", isTerminated: false, end: row.length };
}

/** `8;params;uri` → the uri ("" closes a link); anything else is not a link. */
function parseOsc8(payload: string): string | null {
  if (!payload.startsWith("8;")) return null;
  const separator = payload.indexOf(";", 2);
  return separator === -1 ? null : payload.slice(separator + 1);
}

/** nF / Fp / Fe / Fs escapes (ESC, intermediates, one final byte), e.g. ESC ( B or ESC 7: no visible effect. */
function skipEscape(row: string, from: number): number {
  let j = from;
  while (isIn(row[j], 0x20, 0x2f)) j++;
  return isIn(row[j], 0x30, 0x7e) ? j + 1 : j;
}

/** The row's visible text alone: what a terminal would show, without colours or links. */
export function stripAnsiRow(row: string): string {
  let text = "";
  for (const token of tokenizeAnsiRow(row)) if (token.kind === "text") text += token.text;
  return text;
}
