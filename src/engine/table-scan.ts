/**
 * Reading a table's rows from the library: plan the scan, build its SQL, and run it on DuckDB. The same path
 * `iceberg_scan` uses in SQL, for programs that want rows or a relation name instead of SQL text.
 */
import type { Expression } from '../iceberg/expr/expression.js';
import { planScan, type ScanPlan } from '../iceberg/table/scan-planner.js';
import type { SnapshotSelector, Table } from '../iceberg/table/table.js';
import type { Engine } from './duckdb-engine.js';
import { buildScanSql } from './scan-sql.js';

/** Options of {@link scanTable}. */
export interface ScanTableOptions extends SnapshotSelector {
  /** Skip files that cannot match (rows are filtered by `where` only if you pass it). */
  filter?: Expression;
  /** A DuckDB SQL predicate applied to the rows (e.g. `"id > 3"`). */
  where?: string;
  /** DuckDB ORDER BY expression list, e.g. `"id"`. */
  orderBy?: string;
  limit?: number;
}

/** Rows of a scan as plain objects (DuckDB's JS conversion: BIGINT as bigint, DATE as Date...). */
export async function scanTable(
  engine: Engine,
  table: Table,
  opts: ScanTableOptions = {},
): Promise<{ plan: ScanPlan; rows: Record<string, unknown>[] }> {
  const plan = await planScan(table, opts);
  const { sql, cleanup } = await buildScanSql(engine, table, plan);
  try {
    let q = `SELECT * FROM ${sql} AS t`;
    if (opts.where) q += ` WHERE ${opts.where}`;
    if (opts.orderBy) q += ` ORDER BY ${opts.orderBy}`;
    if (opts.limit !== undefined) q += ` LIMIT ${Math.max(0, Math.floor(opts.limit))}`;
    const res = await engine.run(q);
    return { plan, rows: (await res.getRowObjectsJS()) as Record<string, unknown>[] };
  } finally {
    await cleanup();
  }
}
