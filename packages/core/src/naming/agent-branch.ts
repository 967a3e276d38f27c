import { DomainError } from "../errors/domain-error.ts";

/** The most characters an agent name or a task id may have (each is one path component of a branch and a folder). */
export const MAX_NAME_PART = 64;
const MAX_BRANCH = 200;

/**
 * A name that becomes one path component of a branch and of a worktree folder.
 * Stricter than git's own ref rules so a name is also safe as a folder name on every OS.
 */
export function validateNamePart(kind: "agent" | "task id", value: string): string {
  const fail = (rule: string): never => {
    throw new DomainError("INVALID_NAME", `Invalid ${kind} "${printable(value)}": ${rule}.`);
  };
  if (value.length === 0) fail("it is empty");
  if (value.length > MAX_NAME_PART) fail(`it is longer than ${MAX_NAME_PART} characters`);
  if (/\p{Cc}/u.test(value)) fail("it contains a control character");
  if (/\s/.test(value)) fail("it contains whitespace");
  if (value.startsWith("-")) fail('it starts with "-" (git would read it as an option)');
  if (value.startsWith(".")) fail('it starts with "."');
  if (value.includes("..")) fail('it contains ".." (path traversal and git forbid it)');
  if (value.includes("@{")) fail('it contains "@{"');
  if (value.endsWith(".lock")) fail('it ends with ".lock"');
  if (value.endsWith(".")) fail('it ends with "."');
  if (value.includes("/")) fail("it contains a slash");
  if (value.includes("\\")) fail("it contains a backslash");
  if (/[~^:?*[\]]/.test(value)) fail("it contains one of ~ ^ : ? * [ ] which git forbids in branch names");
  if (value === "@") fail('it is "@"');
  if (!/^[A-Za-z0-9._-]+$/.test(value)) fail("only ASCII letters, digits, '.', '_' and '-' are allowed");
  return value;
}

export function agentBranch(agent: string, taskId: string): string {
  validateNamePart("agent", agent);
  validateNamePart("task id", taskId);
  return `agent/${agent}/${taskId}`;
}

export function parseAgentBranch(branch: string): { agent: string; taskId: string } | null {
  const match = /^agent\/([^/]+)\/([^/]+)$/.exec(branch);
  if (!match?.[1] || !match[2]) return null;
  return { agent: match[1], taskId: match[2] };
}

/** Validates a branch or ref name that reaches git from input (integration branch, --base). */
export function validateRefName(value: string): string {
  const fail = (rule: string): never => {
    throw new DomainError("INVALID_NAME", `Invalid branch or ref "${printable(value)}": ${rule}.`);
  };
  if (value.length === 0) fail("it is empty");
  if (value.length > MAX_BRANCH) fail(`it is longer than ${MAX_BRANCH} characters`);
  if (value.startsWith("-")) fail('it starts with "-"');
  if (/[\p{Cc} ~^:?*[\\]/u.test(value)) fail("it contains a space, control character or one of ~ ^ : ? * [ \\");
  if (value.includes("..") || value.includes("@{") || value.includes("//")) fail('it contains "..", "@{" or "//"');
  if (value.startsWith("/") || value.endsWith("/") || value.endsWith(".")) fail('it starts or ends with "/" or ends with "."');
  if (value.split("/").some((part) => part.startsWith(".") || part.endsWith(".lock"))) {
    fail('a component starts with "." or ends with ".lock"');
  }
  if (value === "@") fail('it is "@"');
  return value;
}

function printable(value: string): string {
  return JSON.stringify(value).slice(1, -1).slice(0, 80);
}
