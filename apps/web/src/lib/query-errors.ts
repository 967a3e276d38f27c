/** The HTTP status tRPC reported for an error; a failed fetch or an unreadable answer counts as 500 (worth a retry). */
function httpStatusOf(error: unknown): number {
  const data: unknown = error && typeof error === "object" && "data" in error ? error.data : undefined;
  return data && typeof data === "object" && "httpStatus" in data && typeof data.httpStatus === "number" ? data.httpStatus : 500;
}

/** A 4xx (signed out, forbidden, not found) will not change on retry; a network blip or a restarting server may. */
export function isClientError(error: Error): boolean {
  return httpStatusOf(error) < 500;
}

export function isUnauthorized(error: unknown): boolean {
  return error !== null && error !== undefined && httpStatusOf(error) === 401;
}

/** auth.me gates the whole shell, so it keeps retrying while grove is unreachable: 1 s, 2 s, 4 s, … at most 10 s apart. */
export const RECONNECT_MAX_DELAY_MS = 10_000;

export function reconnectDelay(attempt: number): number {
  return Math.min(1000 * 2 ** attempt, RECONNECT_MAX_DELAY_MS);
}

export function retryUntilReachable(_count: number, error: Error): boolean {
  return !isClientError(error);
}
