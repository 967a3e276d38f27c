/** `session-YYYYMMDD-HHMM` in UTC, as the seed's orchestrate-session.sh names them. */
export function formatSessionId(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `session-${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}`;
}
