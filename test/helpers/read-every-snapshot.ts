/**
 * Reads a table floe wrote at every one of its snapshots with the fixture-proven reader (scan planning + DuckDB),
 * and checks each snapshot's row count against its summary: `total-records` counts the rows of data files, so the
 * live rows are that minus `total-position-deletes` (each position deleted once, as floe writes them); with
 * equality deletes present the summary cannot say how many rows they match, so only an upper bound is checked.
 */
import { strict as assert } from 'node:assert';
import type { Engine } from '../../src/engine/duckdb-engine.js';
import { scanTable } from '../../src/engine/table-scan.js';
import type { Table } from '../../src/iceberg/table/table.js';

/** Scans every snapshot of `table`; returns how many were read. */
export async function readEverySnapshot(engine: Engine, table: Table): Promise<number> {
  for (const s of table.metadata.snapshots) {
    const { rows } = await scanTable(engine, table, { snapshotId: s['snapshot-id'] });
    const total = s.summary['total-records'];
    if (total === undefined) continue;
    const positional = BigInt(s.summary['total-position-deletes'] ?? '0');
    const equality = BigInt(s.summary['total-equality-deletes'] ?? '0');
    const where = `snapshot ${s['snapshot-id']}: rows vs total-records - total-position-deletes`;
    if (equality === 0n) assert.equal(BigInt(rows.length), BigInt(total) - positional, where);
    else assert.ok(BigInt(rows.length) <= BigInt(total) - positional, where);
  }
  return table.metadata.snapshots.length;
}
