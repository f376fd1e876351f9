/**
 * Partition evolution and sort order replacement on a real table (spec: "Partition Evolution", "Sorting"): old
 * files keep the spec they were written with, new files use the new default spec, scans read all rows, and a
 * filter prunes files of each spec by that spec's partition values (or by column metrics).
 */
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../src/engine/duckdb-engine.js';
import { scanTable } from '../../../src/engine/table-scan.js';
import { isFloeError } from '../../../src/errors.js';
import type { Expression } from '../../../src/iceberg/expr/expression.js';
import { MemoryCatalog } from '../../../src/iceberg/catalog/memory-catalog.js';
import { LocalFileIO } from '../../../src/iceberg/io/local-file-io.js';
import { partitionSpecChange } from '../../../src/iceberg/spec/partition-update.js';
import { tableOf } from '../../../src/iceberg/table/commit.js';
import { evolvePartitionSpec, replaceSortOrder } from '../../../src/iceberg/table/evolve-table.js';
import { planScan } from '../../../src/iceberg/table/scan-planner.js';
import { writeIceberg } from '../../../src/warehouses/iceberg/iceberg-writer.js';

async function setup() {
  const catalog = new MemoryCatalog('m', { io: new LocalFileIO(), warehouse: mkdtempSync(join(tmpdir(), 'floe-evolve-')) });
  const engine = await Engine.create();
  const id = { namespace: ['db'], name: 't' };
  const write = async (sql: string) =>
    BigInt(
      (await writeIceberg({ table: 'db.t', format_version: 2, partition_spec: [{ field: 'region', transform: 'identity' }] }, { sql }, {}, { catalog, engine }))
        .snapshot_id,
    );
  const table = async () => tableOf(await catalog.loadTable(id));
  const plan = async (filter?: Expression) => planScan(await table(), filter === undefined ? {} : { filter });
  return { catalog, engine, id, write, table, plan, close: () => engine.close() };
}

const rows = (k0: number, days: string[]) =>
  days
    .flatMap((d, i) => ['eu', 'us'].map((r, j) => `SELECT ${k0 + i * 2 + j}::BIGINT AS k, '${r}' AS region, TIMESTAMP '${d} 12:00:00' AS ts`))
    .join(' UNION ALL ');

test('identity(region) evolves to day(ts): both specs kept, files keep their spec, pruning works across specs', async () => {
  const s = await setup();
  try {
    await s.write(rows(1, ['2024-01-01', '2024-01-02']));
    const evolved = await evolvePartitionSpec(s.catalog, s.id, (u) => u.addField('ts', 'day').removeField('region'));
    const md = evolved.metadata;
    assert.deepEqual(
      md['partition-specs'].map((p) => [p['spec-id'], p.fields.map((f) => [f['field-id'], f.name, f.transform])]),
      [
        [0, [[1000, 'region', 'identity']]],
        [1, [[1001, 'ts_day', 'day']]],
      ],
    );
    assert.equal(md['default-spec-id'], 1);
    assert.equal(md['last-partition-id'], 1001);

    await s.write(rows(5, ['2024-02-01', '2024-02-02']));
    const all = await s.plan();
    const bySpec = (tasks: typeof all.tasks) => tasks.map((t) => t.specId).sort().join(',');
    assert.equal(bySpec(all.tasks), '0,0,1,1', 'two old files on spec 0 (by region), two new on spec 1 (by day)');
    for (const t of all.tasks) {
      const keys = [...t.file.partition.keys()];
      assert.deepEqual(keys, t.specId === 0 ? [1000] : [1001]);
    }
    const { rows: read } = await scanTable(s.engine, await s.table(), { orderBy: 'k' });
    assert.deepEqual(read.map((r) => r.k), [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);

    // region = 'eu': the spec-0 'us' file is pruned by partition; spec-1 files hold both regions.
    const eu = await s.plan({ kind: 'compare', op: 'eq', column: 'region', value: 'eu' });
    assert.equal(eu.tasks.length, 3);
    assert.equal(eu.skipped.length, 1);
    assert.equal(eu.skipped[0].file.partition.get(1000), 'us');
    // ts >= Feb 2: spec-0 files pruned by metrics, the Feb 1 spec-1 file by its day partition.
    const late = await s.plan({ kind: 'compare', op: 'gte', column: 'ts', value: '2024-02-02T00:00:00' });
    assert.equal(late.tasks.length, 1);
    assert.equal(late.tasks[0].specId, 1);
    assert.equal(late.skipped.length, 3);
    const early = await s.plan({ kind: 'compare', op: 'lt', column: 'ts', value: '2024-01-15T00:00:00' });
    assert.deepEqual(early.tasks.map((t) => t.specId), [0, 0]);

    // A change planned on the old default spec conflicts instead of overwriting.
    const stale = partitionSpecChange(md, (u) => u.renameField('ts_day', 'day'));
    await s.write(rows(9, ['2024-03-01']));
    await evolvePartitionSpec(s.catalog, s.id, (u) => u.addField('region', 'identity'));
    await assert.rejects(s.catalog.commitTable({ identifier: s.id, ...stale }), (e) => isFloeError(e, 'COMMIT_CONFLICT'));
    const md3 = (await s.table()).metadata;
    assert.deepEqual(md3['partition-specs'].at(-1)!.fields.map((f) => [f['field-id'], f.name]), [[1001, 'ts_day'], [1000, 'region']], 'region takes its old id back');
    await assert.rejects(evolvePartitionSpec(s.catalog, s.id, (u) => u.addField('nope', 'day')), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
  } finally {
    s.close();
  }
});

test('replacing the sort order sorts later writes and records sort_order_id', async () => {
  const s = await setup();
  try {
    await s.write(rows(1, ['2024-01-01']));
    const res = await replaceSortOrder(s.catalog, s.id, [{ column: 'k', direction: 'desc' }]);
    assert.equal(res.metadata['default-sort-order-id'], 1);
    assert.deepEqual(res.metadata['sort-orders'].find((o) => o['order-id'] === 1)!.fields, [
      { transform: 'identity', 'source-id': 1, direction: 'desc', 'null-order': 'nulls-last' },
    ]);
    const snap = await s.write('SELECT range::BIGINT AS k, \'eu\' AS region, TIMESTAMP \'2024-01-03\' AS ts FROM range(10, 20)');
    const plan = await s.plan();
    const added = plan.tasks.filter((t) => t.dataSequenceNumber === 2n);
    assert.equal(added.length, 1, `snapshot ${snap}`);
    assert.equal(added[0].file.sort_order_id, 1);
    for (const t of plan.tasks.filter((x) => x.dataSequenceNumber === 1n)) assert.equal(t.file.sort_order_id ?? 0, 0);
    const ks = (await (await s.engine.run(`SELECT k FROM read_parquet('${added[0].readPath}')`)).getRows()).map((r) => r[0]);
    assert.deepEqual(ks, [19n, 18n, 17n, 16n, 15n, 14n, 13n, 12n, 11n, 10n]);
    await assert.rejects(replaceSortOrder(s.catalog, s.id, [{ column: 'nope' }]), (e) => isFloeError(e, 'INVALID_ARGUMENT'));
    // Back to unsorted.
    assert.equal((await replaceSortOrder(s.catalog, s.id, [])).metadata['default-sort-order-id'], 0);
  } finally {
    s.close();
  }
});
