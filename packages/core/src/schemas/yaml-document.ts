import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { DomainError } from "../errors/domain-error.ts";

/** Parses YAML text against a schema; errors name the file and each bad key. */
export function parseYamlDocument<S extends z.ZodType>(schema: S, text: string, source: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new DomainError("INVALID_CONFIG", `${source} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new DomainError("INVALID_CONFIG", `${source} is invalid — ${problems.join("; ")}`);
  }
  return parsed.data;
}
