/** The most of a /api/health answer that is read: grove's is a few dozen bytes; another program's may be anything. */
const MAX_HEALTH_BYTES = 4_096;

/**
 * Whether `url` (a grove /api/health) is answered by the web process started with `instanceId` (GROVE_INSTANCE_ID):
 * a 200 alone could come from another program that has the port.
 */
export async function answersAsInstance(url: string, instanceId: string): Promise<boolean> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  } catch {
    return false; // not listening (yet)
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    return false;
  }
  const text = await readAtMost(response.body, MAX_HEALTH_BYTES).catch(() => null);
  if (text === null) return false;
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === "object" && body !== null && "instance" in body && body.instance === instanceId;
  } catch {
    return false;
  }
}

/** The body as text, or null when it is longer than `limit` bytes (the rest is not read). */
async function readAtMost(body: ReadableStream<Uint8Array>, limit: number): Promise<string | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
