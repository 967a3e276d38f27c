/**
 * The exit codes by which grove's processes tell their supervisor (`pnpm start`) that a restart would fail
 * the same way, so it stops and says why instead of restarting them into the same error.
 */

/** The runner CLI's exit code for a DomainError: grove refused the input or configuration. */
export const DOMAIN_ERROR_EXIT_CODE = 2;

/** The web process's exit code when it cannot listen on its address (the port is taken, or not allowed): EX_CONFIG of sysexits.h. */
export const LISTEN_FAILED_EXIT_CODE = 78;
