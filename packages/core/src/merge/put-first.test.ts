import { describe, expect, it } from "vitest";
import { putFirstRefusal } from "./put-first.ts";

const at = (...states: ("waiting" | "testing" | "passed" | "landing")[]) => states.map((state) => ({ state }));

describe("put first", () => {
  it("moves any entry not landing that has an entry not landing ahead of it: waiting, tested or passed", () => {
    for (const state of ["waiting", "testing", "passed"] as const)
      expect(putFirstRefusal({ state }, at("landing", "testing"))).toBeNull();
  });

  it("refuses a landing entry, and one with only landing entries (or none) ahead", () => {
    expect(putFirstRefusal({ state: "landing" }, at("testing"))).toBe("it is landing now");
    expect(putFirstRefusal({ state: "testing" }, [])).toBe("it is first already");
    expect(putFirstRefusal({ state: "waiting" }, at("landing"))).toBe("it is first already");
  });
});
