import { describe, expect, it } from "vitest";
import { formatDuration } from "./time.tsx";

describe("formatDuration", () => {
  it("shows a sub-second duration in milliseconds, not as 0s", () => {
    expect(formatDuration(423)).toBe("423 ms");
    expect(formatDuration(0)).toBe("0 ms");
    expect(formatDuration(12.4)).toBe("12 ms");
    expect(formatDuration(999.4)).toBe("999 ms");
  });

  it("shows a second and more as before", () => {
    expect(formatDuration(999.6)).toBe("1s");
    expect(formatDuration(1000)).toBe("1s");
    expect(formatDuration(42_300)).toBe("42s");
    expect(formatDuration(185_000)).toBe("3m 5s");
    expect(formatDuration(7_800_000)).toBe("2h 10m");
  });

  it("shows a dash for no duration", () => {
    for (const none of [null, undefined, -1, Number.NaN]) expect(formatDuration(none)).toBe("—");
  });
});
