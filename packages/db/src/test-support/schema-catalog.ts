import { queryDirect, type Db } from "../client.ts";

/*
 * What a database's schema is, in a form that does not depend on how it got there: columns (in name order:
 * a column added by a later migration sits last in the table, which no query of grove's notices), indexes
 * and constraints. Prisma's own bookkeeping table is left out. PostgreSQL's catalog names are cast to text:
 * the pg driver adapter cannot read its `name` type.
 */
const CATALOG = {
  columns: {
    sqlite: `SELECT m."name" AS "t", p."name" AS "c", p."type", p."notnull", p."dflt_value", p."pk"
      FROM sqlite_master m, pragma_table_info(m."name") p
      WHERE m."type" = 'table' AND m."name" NOT IN ('_prisma_migrations', 'sqlite_sequence') ORDER BY 1, 2`,
    postgresql: `SELECT "table_name"::text AS "t", "column_name"::text AS "c", "data_type"::text, "is_nullable"::text, "column_default"::text
      FROM information_schema.columns WHERE "table_schema" = 'public' AND "table_name" <> '_prisma_migrations' ORDER BY 1, 2`,
  },
  indexes: {
    sqlite: `SELECT "name", "tbl_name", "sql" FROM sqlite_master WHERE "type" = 'index' AND "tbl_name" <> '_prisma_migrations' ORDER BY 1`,
    postgresql: `SELECT "indexname"::text, "indexdef" FROM pg_indexes WHERE "schemaname" = 'public' AND "tablename" <> '_prisma_migrations' ORDER BY 1`,
  },
  constraints: {
    sqlite: `SELECT m."name" AS "t", f."table", f."from", f."to", f."on_update", f."on_delete"
      FROM sqlite_master m, pragma_foreign_key_list(m."name") f WHERE m."type" = 'table' ORDER BY 1, 3`,
    postgresql: `SELECT c."conrelid"::regclass::text AS "t", c."conname"::text, pg_get_constraintdef(c."oid") AS "def"
      FROM pg_constraint c WHERE c."connamespace" = 'public'::regnamespace AND c."conrelid"::regclass::text <> '_prisma_migrations'
      ORDER BY 1, 2`,
  },
};

export async function describeSchema(db: Db): Promise<Record<keyof typeof CATALOG, unknown[]>> {
  return {
    columns: await queryDirect(db, CATALOG.columns, []),
    indexes: await queryDirect(db, CATALOG.indexes, []),
    constraints: await queryDirect(db, CATALOG.constraints, []),
  };
}
