import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/*
 * Request body limits, from the largest input each route legitimately takes:
 * - better-auth: sign-in, sign-out, password changes — an email (≤ 200), a password (≤ 256) and a few
 *   flags; 64 KiB is more than a hundred times that.
 * - tRPC: session.start takes up to twenty tasks with prompts of at most 100,000 bytes each — 2 MB, and
 *   JSON escaping (quotes, newlines, control characters) can double that: 4 MiB. Everything else is ids,
 *   names, filters and comments of at most 5,000 characters; 1 MiB holds batches of those with room to spare.
 * - Next's pages take no body in production (grove has no server actions or API routes there); the dev
 *   overlay posts small JSON (stack frames), hence a limit rather than none.
 * Only POST carries a body in grove; any other method (GET and HEAD included) may send none.
 */
export const AUTH_BODY_LIMIT = 64 * 1024;
export const TRPC_BODY_LIMIT = 1024 * 1024;
export const SESSION_START_BODY_LIMIT = 4 * 1024 * 1024;
export const PAGE_BODY_LIMIT = 64 * 1024;

/** What a refused request is told: the route picks a shape its client can read. */
export type TooLargeReply = (limit: number) => { contentType: string; body: string };

export const plainTooLarge: TooLargeReply = (limit) => ({
  contentType: "text/plain; charset=utf-8",
  body: limit === 0 ? "This request may not carry a body." : `The request body is larger than ${limit} bytes.`,
});

type BodyRequest = IncomingMessage & { body?: string };

/** The POST limit of a tRPC request: its procedures are the path after /api/trpc/ (a batch names several). */
export function trpcBodyLimit(url: string): number {
  const procedures = (url.split("?", 1)[0] ?? "").slice("/api/trpc/".length).split(",");
  return procedures.includes("session.start") ? SESSION_START_BODY_LIMIT : TRPC_BODY_LIMIT;
}

/** The body limit of a request to a route whose POST limit is `postLimit`. */
export function bodyLimitOf(req: IncomingMessage, postLimit: number): number {
  return req.method === "POST" ? postLimit : 0;
}

/** The declared length, Infinity for a chunked body (unknown until read), 0 for none. */
function declaredLength(req: IncomingMessage): number {
  if (req.headers["transfer-encoding"] !== undefined) return Infinity;
  const length = Number(req.headers["content-length"] ?? 0);
  return Number.isFinite(length) ? length : Infinity;
}

/**
 * Answers 413 and ends the connection without reading what is left of the body: `connection: close`
 * makes Node close the socket once the answer is written, and a paused request keeps its parser from
 * reading on meanwhile (nothing is buffered beyond the stream's high-water mark).
 */
export function refuseBody(req: IncomingMessage, res: ServerResponse, limit: number, reply: TooLargeReply = plainTooLarge): void {
  req.pause();
  // Marks the request as being read, so Node does not drain (read and discard) the rest after the answer.
  req.read(0);
  if (res.headersSent) return void res.destroy();
  lingerAfterAnswer(req, req.socket);
  const { contentType, body } = reply(limit);
  res
    .writeHead(413, {
      "content-type": contentType,
      "content-length": Buffer.byteLength(body),
      connection: "close",
      "cache-control": "no-store",
    })
    .end(body);
}

/** How long, and how many more body bytes, a refused connection is kept open for its client to read the answer. */
export const LINGER_MS = 2000;
export const LINGER_BYTES = 8 * 1024 * 1024;

/**
 * A lingering close (RFC 9112 §9.6). Closing a socket with unread bytes in its receive buffer makes the
 * kernel send a reset, and a reset can erase the 413 from the client's buffers before it reads it: the
 * client would see a dropped connection instead of the reason. So instead of Node's close once the
 * answer is written, this half-closes (the client reads the answer, then end of stream), reads on and
 * discards at most LINGER_BYTES for at most LINGER_MS, and closes when the client does or a bound is hit.
 */
function lingerAfterAnswer(req: IncomingMessage, socket: Socket): void {
  socket.destroySoon = () => {
    socket.end();
    let discarded = 0;
    const close = () => socket.destroy();
    const timer = setTimeout(close, LINGER_MS);
    socket.once("close", () => clearTimeout(timer));
    req.on("data", (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > LINGER_BYTES) close();
    });
    req.resume();
  };
}

/**
 * Refuses at once (413, before reading) a body declared larger than `limit`. With `streamed`, a body of
 * unknown length (chunked) may still come, to be counted by `readBody`; without it, where nobody can
 * count it for us (Next's pages), any chunked body is refused too. True when the request may go on.
 */
export function admitDeclaredBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  opts: { streamed: boolean; reply?: TooLargeReply },
): boolean {
  const length = declaredLength(req);
  const isOver = length === Infinity ? !opts.streamed || limit === 0 : length > limit;
  if (isOver) refuseBody(req, res, limit, opts.reply);
  return !isOver;
}

/**
 * Reads the body as it streams, at most `limit` bytes: past that it stops reading, answers 413 and
 * ends the connection (the rest is never read). On success the text is left on `req.body`, where
 * tRPC's and better-auth's Node adapters take a body already read; resolves false when refused or aborted.
 */
export function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  reply: TooLargeReply = plainTooLarge,
): Promise<boolean> {
  if (!admitDeclaredBody(req, res, limit, { streamed: true, reply })) return Promise.resolve(false);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (isRead: boolean) => {
      req.off("data", onData).off("end", onEnd).off("error", onFail).off("close", onFail);
      resolve(isRead);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        finish(false);
        refuseBody(req, res, limit, reply);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      const text = Buffer.concat(chunks).toString("utf8");
      (req as BodyRequest).body = text.length > 0 ? text : undefined;
      finish(true);
    };
    const onFail = () => finish(false);
    req.on("data", onData).on("end", onEnd).on("error", onFail).on("close", onFail);
  });
}
