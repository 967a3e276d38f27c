import { DomainError, type AgentProfile, type AgentProfileEntry } from "@grove/core";

/**
 * The profile grove.yaml's `agents.<name>` gives: a whole profile when it has a command; without one, the
 * built-in profile of that name adjusted (its keys win, `env` merged, the command and resume form kept).
 */
export function profileFromEntry(
  name: string,
  own: AgentProfileEntry,
  builtIn: AgentProfile | undefined,
  builtInNames: readonly string[],
): AgentProfile {
  if (own.command) return { ...own, command: own.command };
  if (builtIn) return { ...builtIn, ...own, command: builtIn.command, env: { ...builtIn.env, ...own.env } };
  throw new DomainError(
    "INVALID_INPUT",
    `agents.${name} in grove.yaml has no command, and "${name}" is no built-in profile to adjust (${[...builtInNames].sort().join(", ")}): give it a command.`,
  );
}

/** Own properties only: "constructor" or "__proto__" name no profile, not something of Object.prototype. */
export function ownEntry<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
