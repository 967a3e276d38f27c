/** Fixed-window limiter for sign-in attempts, keyed by email and by client address. */
export class LoginLimiter {
  private readonly attempts = new Map<string, { count: number; windowStart: number }>();

  constructor(
    private readonly maxAttempts = 10,
    private readonly windowMs = 15 * 60 * 1000,
  ) {}

  isAllowed(keys: string[], now = Date.now()): boolean {
    return keys.every((key) => {
      const entry = this.attempts.get(key);
      return !entry || now - entry.windowStart > this.windowMs || entry.count < this.maxAttempts;
    });
  }

  recordFailure(keys: string[], now = Date.now()): void {
    if (this.attempts.size > 10_000) this.attempts.clear();
    for (const key of keys) {
      const entry = this.attempts.get(key);
      if (!entry || now - entry.windowStart > this.windowMs) this.attempts.set(key, { count: 1, windowStart: now });
      else entry.count += 1;
    }
  }

  reset(keys: string[]): void {
    for (const key of keys) this.attempts.delete(key);
  }
}
