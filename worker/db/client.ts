// The drizzle handle over the D1 binding: the one way worker code reaches the database (queries live in db/),
// and guarded statements for the batches that must be one transaction.
import type { SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import * as schema from "./schema.ts";

export function db(env: Pick<Env, "DB">) {
  return drizzle(env.DB, { schema });
}
export type Db = ReturnType<typeof db>;

const dialect = new SQLiteAsyncDialect();

/**
 * A guarded SQL statement (INSERT … SELECT … WHERE changes() = 1, RETURNING, correlated guards: no builder form)
 * written with drizzle's `sql` template and prepared on D1 itself. drizzle-orm 0.45's `db.batch` cannot carry raw
 * SQL with parameters (its SQLiteRaw has no prepared statement), so such batches go through `batch` below.
 */
export function statement(db: Db, query: SQL): D1PreparedStatement {
  const { sql, params } = dialect.sqlToQuery(query);
  return db.$client.prepare(sql).bind(...params);
}

/** Runs statements as one D1 transaction; each result keeps `meta.changes` and any RETURNING rows. */
export function batch(db: Db, statements: D1PreparedStatement[]): Promise<D1Result[]> {
  return db.$client.batch(statements);
}
