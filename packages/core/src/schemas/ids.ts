import { z } from "zod";

/**
 * The identifiers every boundary checks the same way: a record's id (a cuid, a run id, a session id) and
 * a commit SHA (SHA-1 or SHA-256, lower-case hex), whole or as a prefix a person typed.
 */

export const SHA_PATTERN = /^[0-9a-f]{40,64}$/;
/** A prefix of a SHA, as `git` accepts an abbreviated one: at least 7 hex digits. */
export const SHA_PREFIX_PATTERN = /^[0-9a-f]{7,64}$/;

export const IdSchema = z.string().min(1).max(200);
export const ShaSchema = z.string().regex(SHA_PATTERN, "must be a full commit SHA");
export const ShaPrefixSchema = z.string().regex(SHA_PREFIX_PATTERN, "must be at least 7 hex digits of a commit SHA");
