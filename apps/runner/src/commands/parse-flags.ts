import { parseArgs, type ParseArgsConfig } from "node:util";
import { DomainError } from "@grove/core";
import { resolve } from "node:path";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs, strict, with its errors turned into a usage DomainError that names the command. */
export function parseFlags<const O extends Options>(usage: string, args: string[], options: O) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new DomainError(
      "INVALID_INPUT",
      `${message.replace(/\. To specify a positional argument.*$/s, ".")}\nusage: ${usage}`,
      { cause: error },
    );
  }
}

export const REPO_FLAGS = {
  repo: { type: "string" },
  json: { type: "boolean" },
} as const satisfies Options;

export function repoPath(values: { repo?: string | boolean | (string | boolean)[] | undefined }, cwd: string): string {
  return typeof values.repo === "string" ? resolve(cwd, values.repo) : cwd;
}

/** Positionals in order; a missing one is a usage error. */
export function requirePositionals(positionals: string[], names: string[], usage: string): string[] {
  if (positionals.length < names.length) {
    throw new DomainError(
      "INVALID_INPUT",
      `missing ${names
        .slice(positionals.length)
        .map((n) => `<${n}>`)
        .join(" ")}\nusage: ${usage}`,
    );
  }
  if (positionals.length > names.length) {
    throw new DomainError("INVALID_INPUT", `unexpected argument "${positionals[names.length] ?? ""}"\nusage: ${usage}`);
  }
  return positionals;
}
