/** What a command may touch of the outside world; cli.ts builds it from the real process. */
export type CliContext = {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Resolves with the signal name when the user asks the process to stop (SIGINT/SIGTERM). */
  waitForStop: () => Promise<string>;
};

/** A command returns its exit code; failures a user can act on are thrown as DomainError. */
export type Command = (args: string[], ctx: CliContext) => Promise<number>;
