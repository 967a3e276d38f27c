/** What a command may touch of the outside world; cli.ts builds it from the real process. */
export type CliContext = {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  out: (text: string) => void;
  /** Whether what goes to `out` may carry colour (terminal-color.ts: a terminal, NO_COLOR, FORCE_COLOR). */
  outColor: boolean;
  err: (text: string) => void;
  /**
   * Resolves with the signal name when the user asks the process to stop (SIGINT/SIGTERM). `doing` says what
   * stopping still waits for, when the user asks again.
   */
  waitForStop: (doing?: () => string) => Promise<string>;
};

/** A command returns its exit code; failures a user can act on are thrown as DomainError. */
export type Command = (args: string[], ctx: CliContext) => Promise<number>;
