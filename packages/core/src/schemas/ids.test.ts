import { describe, expect, it } from "vitest";
import { IdSchema, ShaPrefixSchema, ShaSchema } from "./ids.ts";

describe("ids", () => {
  it("a full SHA is 40 (SHA-1) to 64 (SHA-256) lower-case hex digits", () => {
    expect(ShaSchema.safeParse("a".repeat(40)).success).toBe(true);
    expect(ShaSchema.safeParse("0".repeat(64)).success).toBe(true);
    for (const bad of ["a".repeat(39), "a".repeat(65), "A".repeat(40), `${"a".repeat(39)}g`, ""])
      expect(ShaSchema.safeParse(bad).success).toBe(false);
  });

  it("a SHA prefix is at least 7 of those digits", () => {
    expect(ShaPrefixSchema.safeParse("abc1234").success).toBe(true);
    expect(ShaPrefixSchema.safeParse("abc123").success).toBe(false);
  });

  it("an id is 1 to 200 characters", () => {
    expect(IdSchema.safeParse("x").success).toBe(true);
    expect(IdSchema.safeParse("").success).toBe(false);
    expect(IdSchema.safeParse("x".repeat(201)).success).toBe(false);
  });
});
