/**
 * Reconciliation checksums: an order-independent fingerprint of a relation's rows, computed in DuckDB as
 * `count(*)` and `sum(hash(c1, c2, ...))` over the columns cast to the target's types. A sum (not XOR) keeps
 * duplicates visible: a row written twice changes the sum, where XOR would cancel it out. Both sides of a
 * comparison are cast to the same DuckDB types, so the checksum compares values, not representations.
 */
import type { Engine } from '../engine/duckdb-engine.js';
import { quoteIdent } from '../engine/sql-literals.js';

/** A column to checksum: its name in the relation and the DuckDB type both sides are cast to. */
export interface ChecksumColumn {
  name: string;
  type: string;
}

/** Row count and checksum of a relation. */
export interface RowsChecksum {
  rows: bigint;
  checksum: string;
}

/** The SQL computing {@link RowsChecksum} of `relation` (a table name, a table function or a `(subquery)`). */
export function checksumSql(relation: string, columns: ChecksumColumn[], where?: string): string {
  const values = columns.map((c) => `CAST(${quoteIdent(c.name)} AS ${c.type})`).join(', ');
  const hash = columns.length === 0 ? '0' : `hash(${values})`;
  return (
    `SELECT count(*)::BIGINT AS n, coalesce(sum(${hash}::HUGEINT), 0)::VARCHAR AS h FROM ${relation} AS __floe_ck` +
    (where ? ` WHERE ${where}` : '')
  );
}

/** Computes the row count and checksum of `relation`. */
export async function checksumOf(engine: Engine, relation: string, columns: ChecksumColumn[], where?: string): Promise<RowsChecksum> {
  const rows = (await (await engine.run(checksumSql(relation, columns, where))).getRowsJS()) as Array<[bigint, string]>;
  return { rows: BigInt(rows[0][0]), checksum: String(rows[0][1]) };
}
