import { describe, expect, it } from "vitest";
import { describeError } from "./describe-error.ts";

describe("describeError", () => {
  it("gives an Error's own message, without its name or stack", () => {
    expect(describeError(new TypeError("bad input"))).toBe("bad input");
  });

  it("gives anything else thrown as text", () => {
    expect(describeError("plain string")).toBe("plain string");
    expect(describeError(42)).toBe("42");
    expect(describeError(undefined)).toBe("undefined");
  });
});
