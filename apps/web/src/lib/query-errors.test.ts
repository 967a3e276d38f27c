import { describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import { isUnauthorized, reconnectDelay, retryUntilReachable } from "./query-errors.ts";

const answered = (httpStatus: number) =>
  new TRPCClientError("refused", { result: { error: { message: "refused", code: -32001, data: { httpStatus } } } });

describe("auth.me's retry while grove is unreachable", () => {
  it("keeps retrying a failed fetch or a server error, however many times it failed", () => {
    expect(retryUntilReachable(50, new TypeError("Failed to fetch"))).toBe(true);
    expect(retryUntilReachable(50, new TRPCClientError("Unexpected token <"))).toBe(true);
    expect(retryUntilReachable(3, answered(503))).toBe(true);
  });

  it("does not retry an answer that will not change: signed out goes to sign-in", () => {
    expect(retryUntilReachable(0, answered(401))).toBe(false);
    expect(retryUntilReachable(0, answered(403))).toBe(false);
    expect(isUnauthorized(answered(401))).toBe(true);
    expect(isUnauthorized(answered(403))).toBe(false);
    expect(isUnauthorized(new TypeError("Failed to fetch"))).toBe(false);
    expect(isUnauthorized(null)).toBe(false);
  });

  it("backs off from 1 s, doubling, to at most 10 s", () => {
    expect([0, 1, 2, 3, 4, 5, 30].map(reconnectDelay)).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });
});
