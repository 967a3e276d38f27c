import { expect, it } from "vitest";
import { stillDoing } from "./runner.ts";

it("says what a stopping runner still waits for, and only that", () => {
  expect(stillDoing({ runs: 0, merges: 0 })).toBe("no merge or run left; sending what is left to the hub");
  expect(stillDoing({ runs: 0, merges: 1 })).toBe("a merge in progress finishes first");
  expect(stillDoing({ runs: 2, merges: 3 })).toBe("3 merges in progress finish first; 2 interrupted run(s) saving their records");
});
