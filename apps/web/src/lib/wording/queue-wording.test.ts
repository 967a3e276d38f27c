import { describe, expect, it } from "vitest";
import { candidateBase, etaText, waitingReason } from "./queue-wording.ts";

const sha = (c: string) => c.repeat(40);
const queue = {
  integration: "main",
  integrationSha: sha("0"),
  entries: [
    { branch: "agent/a/one", candidateSha: sha("1") },
    { branch: "agent/b/two", candidateSha: sha("2") },
  ],
};

describe("queue wording", () => {
  it("names what a candidate is built on: the integration head, the candidate ahead, or just its commit", () => {
    expect(candidateBase({ baseSha: sha("0") }, queue)).toBe("on main 0000000000");
    expect(candidateBase({ baseSha: sha("1") }, queue)).toBe("on agent/a/one's candidate 1111111111");
    expect(candidateBase({ baseSha: sha("9") }, queue)).toBe("on 9999999999");
    expect(candidateBase({ baseSha: null }, queue)).toBeNull();
  });

  it("says why an entry waits, the runner's reason first", () => {
    expect(waitingReason({ state: "waiting", detail: "waiting for memory: 1.2 GB free" }, 2)).toBe(
      "waiting for memory: 1.2 GB free",
    );
    expect(waitingReason({ state: "waiting" }, 1)).toBe("waiting for the test slot");
    expect(waitingReason({ state: "waiting" }, 3)).toBe("waiting for one of the 3 test slots");
    expect(waitingReason({ state: "testing" }, 3)).toBeNull();
  });

  it("words the estimate without inventing one", () => {
    const now = 1_000_000;
    expect(etaText(null, now)).toBe("no estimate yet");
    expect(etaText(now - 5_000, now)).toBe("lands any moment");
    expect(etaText(now + 40_000, now)).toBe("lands in under a minute");
    expect(etaText(now + 3 * 60_000, now)).toBe("lands in about 3 min");
    expect(etaText(now + 125 * 60_000, now)).toBe("lands in about 2 h 5 min");
  });
});
