import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { DomainError } from "../errors/domain-error.ts";

const utf8 = new TextEncoder();

/** A YAML document grove reads (a plan file) is refused past this size, unread. */
export const MAX_YAML_DOCUMENT_BYTES = 8 * 1024 * 1024;

/** Parses YAML text against a schema; errors name the file and each bad key. */
export function parseYamlDocument<S extends z.ZodType>(
  schema: S,
  text: string,
  source: string,
  maxBytes = MAX_YAML_DOCUMENT_BYTES,
): z.infer<S> {
  // Length first: a string of n UTF-16 units has at least n bytes, so a huge one is never encoded to count.
  if (text.length > maxBytes || utf8.encode(text).byteLength > maxBytes) {
    throw new DomainError("INVALID_CONFIG", `${source} is larger than ${maxBytes} bytes.`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new DomainError(
      "INVALID_CONFIG",
      `${source} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new DomainError("INVALID_CONFIG", `${source} is invalid:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
