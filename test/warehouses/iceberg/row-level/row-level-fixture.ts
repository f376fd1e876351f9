/**
 * Shared fixture of the row-level tests: an Iceberg table on the SQLite catalog and a plain DuckDB table holding the
 * same rows, so every row-level operation can be run on both and the results compared; plus the snapshot check
 * (every snapshot's live rows equal its summary's `total-records` minus `total-position-deletes`).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeFloeConfig } from '../../../../src/config/floe-config.js';
import { Engine } from '../../../../src/engine/duckdb-engine.js';
import { scanTable } from '../../../../src/engine/table-scan.js';
import type { Catalog } from '../../../../src/iceberg/catalog/catalog.js';
import { openCatalog, parseTableName } from '../../../../src/iceberg/catalog/open-catalog.js';
import { tableOf } from '../../../../src/iceberg/table/commit.js';
import type { Table } from '../../../../src/iceberg/table/table.js';
import { writeIceberg, type IcebergWriterConfig } from '../../../../src/warehouses/iceberg/iceberg-writer.js';

/** The fixture's table variants. */
export interface FixtureOptions {
  formatVersion: 2 | 3;
  partitioned: boolean;
  /** Table properties (write modes...). */
  properties?: Record<string, string>;
  rows?: number;
}

/** Rows `from..to-1`: 4 columns, an integer key `id`. */
export function initialRows(from: number, to: number): string {
  return (
    `SELECT range::BIGINT AS id, (range % 5)::INTEGER AS grp, 'n' || range AS name, (range * 1.5)::DOUBLE AS v ` +
    `FROM range(${from}, ${to})`
  );
}

/** An Iceberg table and its DuckDB twin. */
export class RowLevelFixture {
  readonly dir = mkdtempSync(join(tmpdir(), 'floe-row-level-'));
  readonly config: IcebergWriterConfig;
  catalog!: Catalog;
  engine!: Engine;

  constructor(readonly opts: FixtureOptions) {
    this.config = {
      catalog: 'sql',
      catalog_config: { uri: `sqlite:${join(this.dir, 'catalog.db')}`, warehouse: join(this.dir, 'warehouse') },
      table: 'db.t',
      format_version: opts.formatVersion,
      properties: { ...(opts.properties ?? {}) },
      ...(opts.partitioned ? { partition_spec: [{ field: 'grp', transform: 'identity' }] } : {}),
    };
  }

  get id() {
    return parseTableName(this.config.table);
  }

  /** Creates both tables with the initial rows, appended 100 at a time (so the table has several files). */
  async open(): Promise<this> {
    this.catalog = await openCatalog(normalizeFloeConfig({ catalog: 'sql', catalog_config: this.config.catalog_config }));
    this.engine = await Engine.create();
    const n = this.opts.rows ?? 300;
    await this.engine.run('CREATE TABLE ref (id BIGINT PRIMARY KEY, grp INTEGER, name VARCHAR, v DOUBLE)');
    for (let from = 0; from < n; from += 100) {
      const sql = initialRows(from, Math.min(n, from + 100));
      await writeIceberg(this.config, { sql }, {}, { catalog: this.catalog, engine: this.engine });
      await this.engine.run(`INSERT INTO ref ${sql}`);
    }
    return this;
  }

  async table(): Promise<Table> {
    return tableOf(await this.catalog.loadTable(this.id));
  }

  /** Rows of the Iceberg table, as sorted JSON lines. */
  async icebergRows(): Promise<string[]> {
    const { rows } = await scanTable(this.engine, await this.table(), { orderBy: 'id, name' });
    return rows.map(normalize);
  }

  /** Rows of the DuckDB twin, as sorted JSON lines. */
  async referenceRows(): Promise<string[]> {
    const res = await this.engine.run('SELECT id, grp, name, v FROM ref ORDER BY id, name');
    return ((await res.getRowObjectsJS()) as Record<string, unknown>[]).map(normalize);
  }

  /** Asserts both tables hold the same rows and every snapshot's counts match its summary. */
  async assertSame(message = ''): Promise<void> {
    assert.deepEqual(await this.icebergRows(), await this.referenceRows(), `rows differ ${message}`);
    await assertSnapshotCounts(this.engine, await this.table());
  }

  async close(): Promise<void> {
    this.engine.close();
    await this.catalog.close();
  }
}

function normalize(r: Record<string, unknown>): string {
  return JSON.stringify({ id: String(r.id), grp: r.grp === null ? null : Number(r.grp), name: r.name, v: r.v === null ? null : Number(r.v) });
}

/**
 * Every snapshot reads back with as many rows as its summary says are live: `total-records` minus
 * `total-position-deletes` (floe's position deletes and vectors never delete a row twice, and go with their data
 * file). Snapshots with equality deletes are read but not counted (an equality delete's row count is not a
 * count of deleted rows).
 */
export async function assertSnapshotCounts(engine: Engine, table: Table): Promise<void> {
  for (const s of table.metadata.snapshots) {
    const { rows } = await scanTable(engine, table, { snapshotId: s['snapshot-id'] });
    const total = BigInt(s.summary['total-records'] ?? '0');
    const pos = BigInt(s.summary['total-position-deletes'] ?? '0');
    if (BigInt(s.summary['total-equality-deletes'] ?? '0') > 0n) continue;
    assert.equal(BigInt(rows.length), total - pos, `snapshot ${s['snapshot-id']} (${s.summary.operation}): live rows vs summary`);
  }
}
