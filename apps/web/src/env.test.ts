import { describe, expect, it } from "vitest";
import { readWebEnv } from "./env.ts";

describe("the web process's environment", () => {
  it("takes a SQLite file or a PostgreSQL URL as DATABASE_URL, and names the two for anything else", () => {
    for (const url of ["file:./data/grove.db", "postgresql://grove:pw@db:5432/grove", "postgres://grove@db/grove"])
      expect(readWebEnv({ NODE_ENV: "test", DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(() => readWebEnv({ NODE_ENV: "test", DATABASE_URL: "mysql://grove@db/grove" })).toThrow(
      "Invalid environment:\n✖ must be a file: URL (SQLite) or a postgresql:// URL (PostgreSQL)\n  → at DATABASE_URL",
    );
  });
});
