import { z } from "zod";

/**
 * The acks of the socket protocol, one definition for both ends: the sender types its reply with these
 * types, the receiver parses the reply with these schemas (an ack is an inbound payload too: parsed,
 * never trusted by type). Every ack is `{ ok: true, … }` or a refusal that says why.
 */

const RefusalSchema = z.object({ ok: z.literal(false), error: z.string() });

export const AckSchema = z.union([z.object({ ok: z.literal(true) }), RefusalSchema]);
export type Ack = z.infer<typeof AckSchema>;

/** `runner:hello`'s ack: the id the hub knows the runner by. */
export const HelloAckSchema = z.union([z.object({ ok: z.literal(true), runnerId: z.string().optional() }), RefusalSchema]);
export type HelloAck = z.infer<typeof HelloAckSchema>;

/** `run:log` and `run:log-watermark`: the seq up to which the hub has stored every line of the run. */
export const LogAckSchema = z.union([z.object({ ok: z.literal(true), ackedSeq: z.number().int().nonnegative() }), RefusalSchema]);
export type LogAck = z.infer<typeof LogAckSchema>;

/** A runner query's answer; `data` is then parsed with that query's own answer schema. */
export const QueryAckSchema = z.union([z.object({ ok: z.literal(true), data: z.unknown() }), RefusalSchema]);
export type QueryAck<T> = { ok: true; data: T } | { ok: false; error: string };
