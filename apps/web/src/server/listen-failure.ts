const CAUSES: Record<string, string> = {
  EADDRINUSE: "is in use by another program",
  EACCES: "may not be opened by this user",
  EADDRNOTAVAIL: "is on an address this machine does not have (check HOST)",
};

/** One line for a listen error that a restart cannot cure ("port 3000 is in use by another program"); null for any other error. */
export function describeListenFailure(error: unknown): string | null {
  if (!(error instanceof Error) || !("code" in error) || typeof error.code !== "string") return null;
  if (!("syscall" in error) || error.syscall !== "listen") return null;
  const cause = CAUSES[error.code];
  if (!cause) return null;
  const port = "port" in error && typeof error.port === "number" ? ` ${error.port}` : "";
  return `port${port} ${cause} (${error.code})`;
}
