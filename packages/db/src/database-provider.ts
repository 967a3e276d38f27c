/** Where grove keeps its data: a SQLite file (the default, one process) or PostgreSQL (a team's instances). */
export type DatabaseProvider = "sqlite" | "postgresql";

/** `postgresql://…` (or `postgres://…`) is PostgreSQL; anything else (`file:…`) is SQLite. */
export function databaseProviderOf(url: string): DatabaseProvider {
  return /^postgres(ql)?:\/\//i.test(url) ? "postgresql" : "sqlite";
}
