/**
 * Reads a table floe wrote at every one of its snapshots with the fixture-proven reader (scan planning + DuckDB),
 * and checks each snapshot's row count against its summary's `total-records`.
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
    if (total !== undefined) assert.equal(BigInt(rows.length), BigInt(total), `snapshot ${s['snapshot-id']}: rows vs total-records`);
  }
  return table.metadata.snapshots.length;
}
