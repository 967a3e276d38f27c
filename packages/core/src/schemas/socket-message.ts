import { MAX_SOCKET_MESSAGE_BYTES } from "./events.ts";

/** Room for socket.io's own framing of a message (packet type, namespace, ack id, event name). */
const FRAMING_BYTES = 1024;

/**
 * An upper bound of the bytes socket.io puts on the wire for an emit or ack with these arguments: their JSON
 * as UTF-8, and binary parts as base64 (how HTTP long-polling carries them; a websocket frame is smaller).
 */
export function socketMessageBytes(args: readonly unknown[]): number {
  let binary = 0;
  const json = JSON.stringify(args, function (this: unknown, key: string, value: unknown) {
    // The holder's own value: a Buffer's toJSON would otherwise hand over an array of numbers.
    const raw = (this as Record<string, unknown>)[key];
    if (!(raw instanceof Uint8Array)) return value;
    binary += Math.ceil(raw.byteLength / 3) * 4;
    return 0;
  });
  return utf8Bytes(json ?? "") + binary + FRAMING_BYTES;
}

/** Whether the hub reads a message with these arguments (MAX_SOCKET_MESSAGE_BYTES). */
export function fitsSocketMessage(args: readonly unknown[]): boolean {
  return socketMessageBytes(args) <= MAX_SOCKET_MESSAGE_BYTES;
}

/**
 * The longest start of `text` whose JSON string form is at most `maxBytes` of UTF-8 (escapes counted, no
 * surrogate pair cut in two): limits a text in what it costs on the wire, not in characters.
 */
export function cutToJsonBytes(text: string, maxBytes: number): { text: string; isCut: boolean } {
  let bytes = 2;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const isPair = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1));
    bytes += isPair ? 4 : jsonCharBytes(code);
    if (bytes > maxBytes) return { text: text.slice(0, i), isCut: true };
    if (isPair) i++;
  }
  return { text, isCut: false };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** One UTF-16 unit inside a JSON string: escapes (`\n`, `\u0001`, a lone surrogate) as JSON.stringify writes them. */
function jsonCharBytes(code: number): number {
  if (code === 0x22 || code === 0x5c || code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d)
    return 2;
  if (code < 0x20) return 6;
  if (code < 0x80) return 1;
  if (code < 0x800) return 2;
  if (code >= 0xd800 && code <= 0xdfff) return 6;
  return 3;
}

function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && isLowSurrogate(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
