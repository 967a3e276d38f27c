export type DomainErrorCode =
  | "INVALID_NAME"
  | "INVALID_CONFIG"
  | "INVALID_INPUT"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "BRANCH_CHECKED_OUT"
  | "DIRTY_WORKTREE"
  | "UNMERGED_BRANCH"
  | "SHA_MISMATCH"
  | "MERGE_CONFLICT"
  | "LOCK_TIMEOUT"
  | "AUDIT_BROKEN"
  | "GIT_FAILED"
  | "PROCESS_FAILED"
  | "IO_FAILED"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "RUNNER_OFFLINE";

export type ProcessFailure = {
  command: string[];
  cwd: string;
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
};

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly process?: ProcessFailure;
  /** What the CLI suggests for this error, in place of its code's usual hint; null for none. */
  readonly hint?: string | null;

  constructor(
    code: DomainErrorCode,
    message: string,
    options?: { cause?: unknown; process?: ProcessFailure; hint?: string | null },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DomainError";
    this.code = code;
    if (options?.process) this.process = options.process;
    if (options?.hint !== undefined) this.hint = options.hint;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
