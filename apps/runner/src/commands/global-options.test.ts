import { describe, expect, it } from "vitest";
import { hoistGlobalOptions } from "./global-options.ts";

describe("hoistGlobalOptions", () => {
  it("moves --repo, --data-dir and --json given before the command behind it", () => {
    expect(hoistGlobalOptions(["--repo", "x", "worktree", "list"])).toEqual(["worktree", "list", "--repo", "x"]);
    expect(hoistGlobalOptions(["--data-dir=d", "--json", "approve"])).toEqual(["approve", "--data-dir=d", "--json"]);
  });

  it("keeps them ahead of a `--`, whose words are not options", () => {
    expect(hoistGlobalOptions(["--repo", "x", "session", "run", "--", "--repo"])).toEqual([
      "session",
      "run",
      "--repo",
      "x",
      "--",
      "--repo",
    ]);
  });

  it("leaves anything else alone: an unknown option, a --repo with no value, options after the command", () => {
    expect(hoistGlobalOptions(["--bogus", "doctor"])).toEqual(["--bogus", "doctor"]);
    expect(hoistGlobalOptions(["--repo"])).toEqual(["--repo"]);
    expect(hoistGlobalOptions(["doctor", "--repo", "x"])).toEqual(["doctor", "--repo", "x"]);
    expect(hoistGlobalOptions(["--help"])).toEqual(["--help"]);
  });
});
