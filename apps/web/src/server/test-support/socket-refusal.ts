/**
 * Why socket.io-client could not connect: a namespace's refusal is its message ("unauthorized: …"); a refused
 * engine.io handshake (no session, no runner token) is a transport error carrying the hub's HTTP answer.
 */
export function describeRefusal(error: Error): string {
  const description: unknown = (error as Error & { description?: unknown }).description;
  const detail =
    description instanceof Object && "message" in description
      ? String(description.message)
      : typeof description === "number"
        ? `HTTP ${description}`
        : "";
  return detail ? `${error.message} (${detail})` : error.message;
}

/** How the hub answers a handshake it refuses: engine.io's 400 to an upgrade, 403 to a polling request. */
export const HANDSHAKE_REFUSED = /Unexpected server response: 400|HTTP 403/;
